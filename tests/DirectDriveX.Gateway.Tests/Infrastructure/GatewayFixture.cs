using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Grains.Interfaces;
using Orleans.TestingHost;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway over a real three-silo cluster (<see cref="GatewayOverTestCluster"/>) whose silos have different
/// memory caps: Silo_0 1 GiB, Silo_1 2 GiB, Silo_2 3 GiB.
/// </summary>
public abstract class GatewayFixture : IAsyncLifetime
{
    public const long MiB = 1024L * 1024;
    public const long GiB = 1024 * MiB;

    /// <summary>The browser origin the gateway's tus endpoint allows (CORS).</summary>
    public const string TusOrigin = "http://app.example";

    private readonly GatewayOverTestCluster _host;

    protected GatewayFixture() => _host = new GatewayOverTestCluster(3, silo => new Dictionary<string, string?>(SiloSettings)
    {
        ["MemoryBudget:MemoryLimitBytes"] = Caps[silo].ToString(),
        ["Uploads:MaxFileSizeBytes"] = (20 * GiB).ToString(),
    }, configureSilo: silo => ConfigureSilo(silo), $"--Uploads:MaxFileSizeBytes={20 * GiB}", $"--Tus:AllowedOrigins:0={TusOrigin}")
    {
        EdgeSettings = EdgeSettings,
    };

    /// <summary>The tests of these fixtures are about protocols, routing and expiry: one client (this test process) holds many
    /// uploads at once. Client limits have their own tests and fixtures.</summary>
    protected virtual IReadOnlyDictionary<string, string?> EdgeSettings => new Dictionary<string, string?>
    {
        ["Clients:MaxConcurrentUploads"] = "10000",
    };

    public InProcessTestCluster Cluster => _host.Cluster;
    public IClusterClient Grains => _host.Grains;
    public Uri BaseAddress => _host.BaseAddress;
    public HttpClient Http { get; private set; } = null!;
    public string StoreRoot => _host.StoreRoot;

    protected virtual IDictionary<string, string?> SiloSettings => new Dictionary<string, string?>();

    /// <summary>Services of every silo, registered before DirectDriveX's own (a test clock, say).</summary>
    protected virtual void ConfigureSilo(Orleans.Hosting.ISiloBuilder silo)
    {
    }

    /// <summary>Each silo's memory cap by its TestingHost name: 1, 2 and 3 GiB unless a fixture says otherwise.</summary>
    protected virtual IReadOnlyDictionary<string, long> Caps => new Dictionary<string, long> { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 2 * GiB, ["Silo_2"] = 3 * GiB };

    public GatewayOverTestCluster Host => _host;

    public async Task InitializeAsync()
    {
        await _host.StartAsync();
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        await _host.DisposeAsync();
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
