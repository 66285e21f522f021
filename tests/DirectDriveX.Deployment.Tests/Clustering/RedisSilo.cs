using DirectDriveX.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using DirectDriveX.HostDefaults;

namespace DirectDriveX.Deployment.Tests.Clustering;

/// <summary>
/// One silo in this process, wired as the DirectDriveX.Silo process wires itself when ConnectionStrings:Redis is set
/// (<see cref="SiloClustering.UseDirectDriveXClustering"/>: Redis clustering and grain storage, endpoints on 127.0.0.1)
/// plus <see cref="DirectDriveXSiloBuilderExtensions.AddDirectDriveX"/> with its own memory cap.
/// </summary>
public sealed class RedisSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private RedisSilo(IHost host, string name)
    {
        _host = host;
        Name = name;
    }

    public string Name { get; }

    public SiloAddress Address => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<RedisSilo> StartAsync(string redis, string clusterId, string name, long memoryCap, string fileStoreRoot)
    {
        var hosting = new SiloHostOptions
        {
            ClusterId = clusterId,
            ServiceId = clusterId,
            SiloName = name,
            SiloPort = FreePort.Next(),
            GatewayPort = FreePort.Next(),
            AdvertisedIP = "127.0.0.1",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MemoryBudget:MemoryLimitBytes"] = memoryCap.ToString(),
            ["FileStore:RootDirectory"] = fileStoreRoot,
        }).Build();
        var host = new HostBuilder()
            .UseOrleans(silo => silo.UseDirectDriveXClustering(hosting, redis).AddDirectDriveX(configuration))
            .Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        return new RedisSilo(host, name);
    }

    private bool _stopped;

    /// <summary>Leaves the cluster gracefully (the silo marks itself dead in the membership table). Once.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
