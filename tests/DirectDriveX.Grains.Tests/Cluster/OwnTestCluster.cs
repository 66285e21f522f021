using DirectDriveX.Grains.Memory;
using DirectDriveX.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>
/// A test cluster for a test class of its own, of one silo unless asked for more: a directory of its own (<see cref="Root"/>,
/// shared by its silos and deleted with the cluster), 4 GiB of memory all available on each silo (<see cref="CappedMemoryProbe"/>),
/// grain state in memory, and the settings and services the test gives (each given the directory, and asked once per silo,
/// one silo at a time).
/// </summary>
public sealed class OwnTestCluster : IAsyncDisposable
{
    private OwnTestCluster(string root, InProcessTestCluster cluster) => (Root, Cluster) = (root, cluster);

    public string Root { get; }

    public InProcessTestCluster Cluster { get; }

    /// <summary>The first silo (the only one, unless more were asked for).</summary>
    public SiloAddress Silo => Cluster.Silos[0].SiloAddress;

    public IServiceProvider Services => Cluster.GetSiloServiceProvider(Silo);

    public static async Task<OwnTestCluster> StartAsync(string name, Func<string, Dictionary<string, string?>> settings,
        Action<IServiceCollection, string>? services = null, short silos = 1)
    {
        var root = Directory.CreateTempSubdirectory($"ddx-{name}-").FullName;
        var builder = new InProcessTestClusterBuilder(silos);
        var asking = new Lock();
        builder.ConfigureSilo((_, silo) =>
        {
            // The test cluster configures its silos at once, on several threads: a test's settings are asked one silo at a
            // time, so that settings shared by the silos (made at the first call) are made once.
            Dictionary<string, string?> configured;
            lock (asking) configured = settings(root);
            configured["MemoryBudget:MemoryLimitBytes"] = (4L << 30).ToString();
            silo.Services.AddSingleton<IMemoryProbe, CappedMemoryProbe>();
            services?.Invoke(silo.Services, root);
            silo.AddMemoryGrainStorageAsDefault().AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(configured).Build());
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new OwnTestCluster(root, cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
