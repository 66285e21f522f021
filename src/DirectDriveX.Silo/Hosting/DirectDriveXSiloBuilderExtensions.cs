using DirectDriveX.Node;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Clients;
using DirectDriveX.Grains.Files;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Node.Buffers;
using DirectDriveX.Grains.Interfaces.Telemetry;
using DirectDriveX.Grains.Memory;
using DirectDriveX.Grains.Placement;
using DirectDriveX.Grains.Sampling;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Providers;
using Orleans.Storage;
using DirectDriveX.Node.Draining;
using DirectDriveX.Node.Uploads;

namespace DirectDriveX.Silo.Hosting;

public static class DirectDriveXSiloBuilderExtensions
{
    /// <summary>
    /// Everything a DirectDriveX silo runs: options (bound from <paramref name="configuration"/> and validated at start),
    /// the host memory probe, the chunk buffer pool, the file store, the placement directors, and the start-up activation
    /// of this silo's budget grain. Clustering and grain storage are the host's choice.
    /// </summary>
    public static ISiloBuilder AddDirectDriveX(this ISiloBuilder silo, IConfiguration configuration)
    {
        var services = silo.Services;
        AddValidatedOptions<MemoryBudgetOptions>(services, configuration, MemoryBudgetOptions.Section);
        AddValidatedOptions<StoredFileOptions>(services, configuration, StoredFileOptions.Section);
        services.AddNode(configuration);
        services.AddSingleton<IValidateOptions<MemoryBudgetOptions>, MemoryBudgetOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMemoryProbe, HostMemoryProbe>();
        services.TryAddSingleton<IStoreSpaceProbe, FileStoreSpaceProbe>();
        services.AddSingleton<NodeResources>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeResources>());
        services.AddSingleton<LeaseBook>();
        services.AddSingleton<NodeBudget>();
        services.AddSingleton<LocalBudgetReading>();
        services.AddMetrics();
        services.TryAddSingleton<UploadMetrics>();
        services.AddHostedService<SiloTelemetryObservation>();
        services.AddHostedService<DashboardBudgetCounters>();
        services.AddSingleton<StagingSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<StagingSweep>());
        services.AddSingleton<RetentionSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweep>());

        // Sessions' and clients' records go to the default storage unless the host registered storages of their own (Redis
        // does, so that they expire).
        foreach (var name in new[] { UploadSessionGrain.StorageName, UploadClientGrain.StorageName })
            services.TryAddKeyedSingleton<IGrainStorage>(name,
                (sp, _) => sp.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
        services.AddKeyedSingleton<IGrainStorage>(NewUploadStorage.Name,
            (sp, _) => new NewUploadStorage(sp.GetRequiredKeyedService<IGrainStorage>(UploadSessionGrain.StorageName)));

        services.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        services.AddPlacementDirector<UploadSessionPlacement, UploadSessionPlacementDirector>();
        silo.AddStartupTask<MemoryBudgetActivation>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, WatchdogClockPrimer>();
        // How fast a dead silo is declared dead (Orleans' defaults take ~30 s and more): Orleans:Membership:ProbeTimeout,
        // NumMissedProbesLimit, DeathVoteExpirationTimeout, … as in ClusterMembershipOptions; unset keys keep the defaults.
        services.Configure<Orleans.Configuration.ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
        return silo;
    }

    private static void AddValidatedOptions<TOptions>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
