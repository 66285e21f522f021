using DirectDriveX.Testing;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway over a one-silo cluster whose uploads' bytes are kept in a real local object store
/// (<see cref="ObjectStoreServer"/>: s3rver or Azurite, started for the fixture); silo and gateway get the store's settings
/// as a deployment gives them. One silo: its scratch directory is its own, as an object store requires, and grain state
/// stays in files beside it.
/// </summary>
public abstract class ObjectStoreGatewayFixture(ObjectStoreServer store) : IAsyncLifetime
{
    private GatewayOverTestCluster? _host;

    public HttpClient Http { get; private set; } = null!;
    public IClusterClient Grains => _host!.Grains;
    public Uri BaseAddress => _host!.BaseAddress;

    public async Task InitializeAsync()
    {
        await store.InitializeAsync();
        _host = new GatewayOverTestCluster(1, _ => new Dictionary<string, string?>(store.Settings)
            {
                ["MemoryBudget:MemoryLimitBytes"] = (4L * 1024 * 1024 * 1024).ToString(),
            }, configureSilo: null,
            [.. store.Settings.Select(s => $"--{s.Key}={s.Value}")])
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
