using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using DirectDriveX.Http.Clients;
using DirectDriveX.Http.Tus;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectDriveX.Http;

/// <summary>What every process that answers upload requests needs, the gateway and a node alike: the protocol, tus, upload,
/// authentication and client options (bound and validated at start), who the client is, the refusal answers and the
/// failure handler, and Kestrel's receive blocks. Registered once however many parts of a process ask for it.</summary>
public static class UploadHttpServices
{
    public static IServiceCollection AddUploadHttp(this IServiceCollection services)
    {
        // Once per process: the embedded host composes the gateway and the node, and both ask for it.
        if (services.Any(d => d.ServiceType == typeof(RefusalResults))) return services;
        services.AddOptions<ProtocolOptions>().BindConfiguration(ProtocolOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TusOptions>().BindConfiguration(TusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ClientOptions>().BindConfiguration(ClientOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddUploadOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<UploadMetrics>();
        services.TryAddSingleton<RefusalResults>();
        services.AddUploadFailureRefusals();
        services.TryAddSingleton<UploadClientIdentity>();
        // Kestrel receives into 64 KiB blocks: 16× fewer recv calls per uploaded byte, on a node and on a gateway that
        // forwards (benchmarks/README.md).
        services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, Transport.ReceiveBlockMemoryPoolFactory>();
        return services;
    }
}
