using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Grains.Hosting;
using DirectDriveX.Grains.Interfaces;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway on a real socket (Kestrel on 127.0.0.1, an ephemeral port) in front of a real three-silo Orleans
/// cluster (TestingHost) whose silos have different memory caps: Silo_0 1 GiB, Silo_1 2 GiB, Silo_2 3 GiB.
/// </summary>
public abstract class GatewayFixture : IAsyncLifetime
{
    public const long MiB = 1024L * 1024;
    public const long GiB = 1024 * MiB;

    private InProcessTestCluster? _cluster;
    private WebApplication? _gateway;

    public InProcessTestCluster Cluster => _cluster!;
    public IClusterClient Grains => Cluster.Client;
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string StoreRoot { get; } = Directory.CreateTempSubdirectory("ddx-gw-store-").FullName;

    protected virtual IDictionary<string, string?> SiloSettings => new Dictionary<string, string?>();

    private static readonly Dictionary<string, long> Caps = new() { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 2 * GiB, ["Silo_2"] = 3 * GiB };

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            var settings = new Dictionary<string, string?>(SiloSettings)
            {
                ["MemoryBudget:MemoryLimitBytes"] = Caps[options.SiloName].ToString(),
                ["FileStore:RootDirectory"] = StoreRoot,
                ["Uploads:MaxFileSizeBytes"] = (20 * GiB).ToString(),
            };
            silo.AddMemoryGrainStorageAsDefault().AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();

        var app = GatewayApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Gateway:Mode=External", "--Gateway:SnapshotMaxAge=00:00:00", "--Gateway:SessionWatchInterval=00:00:00.200"]);
        app.Services.AddSingleton<IClusterClient>(_cluster.Client);
        app.Services.AddSingleton<IGrainFactory>(_cluster.Client);
        _gateway = GatewayApplication.Build(app);
        await _gateway.StartAsync();
        var address = _gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_gateway is not null) await _gateway.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
        Directory.Delete(StoreRoot, recursive: true);
    }

    public SiloAddress Silo(string name) => Cluster.Silos.Single(s => s.Name == name).SiloAddress;

    public Uri WebSocketUri(string pathAndQuery) => new($"ws://{BaseAddress.Authority}{pathAndQuery}");

    public async Task<Created> CreateUploadAsync(string fileName, long size, string? sha256 = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/uploads", new { fileName, size, sha256 });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<Created>(body, JsonSerializerOptions.Web)!;
    }

    public async Task<IReadOnlyList<MemoryBudgetSnapshot>> SnapshotsAsync() =>
        await Task.WhenAll(Cluster.Silos.Select(s => Grains.BudgetOf(s.SiloAddress).GetSnapshot()));

    public sealed record Created(string UploadId, string ResumeToken, string Node, long Size, long ReservedBytes, int ChunkSize,
        int MaxChunksInFlight, string WebSocketUrl, string StatusUrl);
}

public sealed class DefaultGatewayFixture : GatewayFixture;

/// <summary>Leases and sessions expire after three seconds without data (short, yet long enough for a loaded CI machine).</summary>
public sealed class ExpiringGatewayFixture : GatewayFixture
{
    protected override IDictionary<string, string?> SiloSettings => new Dictionary<string, string?>
    {
        ["MemoryBudget:LeaseTimeout"] = "00:00:03",
        ["MemoryBudget:SweepInterval"] = "00:00:00.100",
    };
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<DefaultGatewayFixture>
{
    public const string Name = "gateway";
}

[CollectionDefinition(Name)]
public sealed class ExpiringGatewayCollection : ICollectionFixture<ExpiringGatewayFixture>
{
    public const string Name = "expiring gateway";
}
