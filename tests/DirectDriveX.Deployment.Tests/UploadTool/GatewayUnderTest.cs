using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Grains.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>
/// The real gateway on a real socket (Kestrel, 127.0.0.1, an ephemeral port) in front of a real two-silo cluster
/// (TestingHost), for driving the upload tool over the network as a user would. Files larger than 64 MiB are refused.
/// </summary>
public sealed class GatewayUnderTest : IAsyncLifetime
{
    public const long MaxFileSizeBytes = 64L << 20;

    private InProcessTestCluster? _cluster;
    private WebApplication? _gateway;

    public Uri BaseAddress { get; private set; } = null!;
    public string StoreRoot { get; } = Directory.CreateTempSubdirectory("ddx-tool-store-").FullName;
    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("ddx-tool-files-").FullName;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo
            .AddMemoryGrainStorageAsDefault()
            .AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MemoryBudget:MemoryLimitBytes"] = (2L << 30).ToString(),
                ["FileStore:RootDirectory"] = StoreRoot,
                ["FileStore:FlushToDisk"] = "false",
                ["Uploads:MaxFileSizeBytes"] = MaxFileSizeBytes.ToString(),
            }).Build()));
        _cluster = builder.Build();
        await _cluster.DeployAsync();

        var app = GatewayApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Gateway:Mode=External", "--Gateway:SnapshotMaxAge=00:00:00"]);
        app.Services.AddSingleton<IClusterClient>(_cluster.Client);
        app.Services.AddSingleton<IGrainFactory>(_cluster.Client);
        _gateway = GatewayApplication.Build(app);
        await _gateway.StartAsync();
        BaseAddress = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    /// <summary>A file of <paramref name="bytes"/> pseudo-random bytes (seeded) in the work directory.</summary>
    public string CreateFile(string name, int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        var path = Path.Combine(WorkDirectory, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null) await _gateway.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
        Directory.Delete(StoreRoot, recursive: true);
        Directory.Delete(WorkDirectory, recursive: true);
    }
}
