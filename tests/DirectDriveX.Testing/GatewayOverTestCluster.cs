using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.Grains.Memory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Testing;

/// <summary>
/// The real gateway on a real socket (Kestrel on 127.0.0.1, an ephemeral port) in front of a real Orleans cluster of
/// in-process silos (TestingHost) that share one temporary file store (and their grain state in it, so a session outlives
/// a killed silo); each silo serves the upload protocols on its own
/// HTTP port (<see cref="SiloHttpServer"/>), and the gateway forwards each upload's connection to the silo holding it. Each silo's settings come from
/// <paramref name="siloSettings"/> by its TestingHost name (Silo_0, Silo_1, ...). Routing reads fresh snapshots on every
/// new upload (SnapshotMaxAge 0) and open sockets check their session every 200 ms, so tests see decisions at once.
/// </summary>
public sealed class GatewayOverTestCluster(int silos, Func<string, IDictionary<string, string?>> siloSettings,
    Action<Orleans.Hosting.ISiloBuilder>? configureSilo = null, params string[] gatewayArguments) : IAsyncDisposable
{
    private InProcessTestCluster? _cluster;
    private readonly List<WebApplication> _gateways = [];

    /// <summary>The gateways started, the first first.</summary>
    public IReadOnlyList<WebApplication> Gateways => _gateways;

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");
    public IClusterClient Grains => Cluster.Client;
    public Uri BaseAddress { get; private set; } = null!;
    public string StoreRoot { get; } = Directory.CreateTempSubdirectory("ddx-test-store-").FullName;

    /// <summary>Settings of every process edge that takes requests (the gateway, and each silo's HTTP port): client limits,
    /// API keys, trusted proxies.</summary>
    public IReadOnlyDictionary<string, string?> EdgeSettings { get; init; } = new Dictionary<string, string?>();

    public async Task StartAsync()
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((options, silo) =>
        {
            var settings = new Dictionary<string, string?>(siloSettings(options.SiloName)) { ["FileStore:RootDirectory"] = StoreRoot };
            silo.Services.AddSingleton<IMemoryProbe, CappedMemoryProbe>();
            silo.Services.AddSingleton<DirectDriveX.Grains.Storage.IStoreSpaceProbe>(new FixedStoreSpace(FixedStoreSpace.Plenty));
            silo.Services.AddSingleton(services => new SiloHttpServer(services, new Dictionary<string, string?>(EdgeSettings)
            {
                ["Protocol:SessionWatchInterval"] = "00:00:00.200",
            }));
            silo.Services.AddHostedService(services => services.GetRequiredService<SiloHttpServer>());
            silo.Services.AddSingleton<DirectDriveX.Node.Draining.IUploadConnectionDirectory>(services => services.GetRequiredService<SiloHttpServer>());
            configureSilo?.Invoke(silo);
            silo.AddFileGrainStorageAsDefault().AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        BaseAddress = await StartGatewayAsync();
    }

    /// <summary>Starts a gateway (another one after the first: several gateways in front of one cluster, as in production)
    /// and returns its address.</summary>
    public async Task<Uri> StartGatewayAsync()
    {
        var app = GatewayApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Gateway:Mode=External",
            "--Gateway:SnapshotMaxAge=00:00:00", $"--FileStore:RootDirectory={StoreRoot}",
            .. EdgeSettings.Select(s => $"--{s.Key}={s.Value}"), .. gatewayArguments]);
        app.Services.AddSingleton<IClusterClient>(Cluster.Client);
        app.Services.AddSingleton<IGrainFactory>(Cluster.Client);
        var gateway = GatewayApplication.Build(app);
        _gateways.Add(gateway);
        await gateway.StartAsync();
        return new Uri(gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways) await gateway.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
        Directory.Delete(StoreRoot, recursive: true);
    }
}
