using DirectDriveX.Grains.Memory;
using DirectDriveX.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>
/// A one-silo test cluster for a test class of its own: a directory of its own (<see cref="Root"/>, deleted with the cluster),
/// 4 GiB of memory all available (<see cref="CappedMemoryProbe"/>), grain state in memory, and the settings and services the
/// test gives (each given the directory).
/// </summary>
public sealed class OneSiloCluster : IAsyncDisposable
{
    private OneSiloCluster(string root, InProcessTestCluster cluster) => (Root, Cluster) = (root, cluster);

    public string Root { get; }

    public InProcessTestCluster Cluster { get; }

    public SiloAddress Silo => Cluster.Silos[0].SiloAddress;

    public IServiceProvider Services => Cluster.GetSiloServiceProvider(Silo);

    public static async Task<OneSiloCluster> StartAsync(string name, Func<string, Dictionary<string, string?>> settings,
        Action<IServiceCollection, string>? services = null)
    {
        var root = Directory.CreateTempSubdirectory($"ddx-{name}-").FullName;
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            var configured = settings(root);
            configured["MemoryBudget:MemoryLimitBytes"] = (4L << 30).ToString();
            silo.Services.AddSingleton<IMemoryProbe, CappedMemoryProbe>();
            services?.Invoke(silo.Services, root);
            silo.AddMemoryGrainStorageAsDefault().AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(configured).Build());
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new OneSiloCluster(root, cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
