using DirectDriveX.Testing;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway over a one-silo cluster whose uploads' bytes are kept in a real local object store
/// (<see cref="ObjectStoreServer"/>: s3rver or Azurite, started for the fixture); silo and gateway get the store's settings
/// as a deployment gives them. One silo: its scratch directory is its own, as an object store requires, and grain state
/// stays in files beside it.
/// </summary>
/// <param name="settings">Settings of the deployment beyond the store's, given to the silo and the gateway alike.</param>
public abstract class ObjectStoreGatewayFixture(ObjectStoreServer store, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    private GatewayOverTestCluster? _host;

    /// <summary>Links valid five minutes.</summary>
    public static readonly IReadOnlyDictionary<string, string?> DownloadLinks = new Dictionary<string, string?> { ["FileStore:DownloadLinkLifetime"] = "00:05:00" };

    public HttpClient Http { get; private set; } = null!;
    public IClusterClient Grains => _host!.Grains;
    public Uri BaseAddress => _host!.BaseAddress;

    public async Task InitializeAsync()
    {
        await store.InitializeAsync();
        var deployment = new Dictionary<string, string?>(store.Settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) deployment[key] = value;
        _host = new GatewayOverTestCluster(1, _ => new Dictionary<string, string?>(deployment)
            {
                ["MemoryBudget:MemoryLimitBytes"] = (4L * 1024 * 1024 * 1024).ToString(),
            }, configureSilo: null,
            [.. deployment.Select(s => $"--{s.Key}={s.Value}")])
        {
            EdgeSettings = new Dictionary<string, string?> { ["Clients:MaxConcurrentUploads"] = "10000" },
        };
        await _host.StartAsync();
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        await store.DisposeAsync();
    }
}

public sealed class S3GatewayFixture() : ObjectStoreGatewayFixture(new S3rverServer());

public sealed class AzureBlobGatewayFixture() : ObjectStoreGatewayFixture(new AzuriteServer());

/// <summary>Downloads answer with a link straight to the store (<c>FileStore:DownloadLinkLifetime</c>).</summary>
public sealed class S3LinkGatewayFixture() : ObjectStoreGatewayFixture(new S3rverServer(), DownloadLinks);

/// <summary>Downloads answer with a link straight to the store (<c>FileStore:DownloadLinkLifetime</c>).</summary>
public sealed class AzureBlobLinkGatewayFixture() : ObjectStoreGatewayFixture(new AzuriteServer(), DownloadLinks);

