
namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>
/// The real gateway over a real two-silo cluster (<see cref="GatewayOverTestCluster"/>), for driving the upload tool over
/// the network as a user would. Files larger than 64 MiB are refused. Creating an upload needs an API key
/// (<c>Auth:Mode=ApiKey</c>), as on a production service: the tool sends <see cref="ApiKey"/>.
/// </summary>
public sealed class GatewayUnderTest : IAsyncLifetime
{
    public const long MaxFileSizeBytes = 64L << 20;
    public const string ApiKey = "tool-key-0123456789abcdef";

    private readonly GatewayOverTestCluster _host = new(2, _ => new Dictionary<string, string?>
    {
        ["MemoryBudget:MemoryLimitBytes"] = (2L << 30).ToString(),
        ["FileStore:FlushToDisk"] = "false",
        ["Uploads:MaxFileSizeBytes"] = MaxFileSizeBytes.ToString(),
    })
    {
        EdgeSettings = new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "ApiKey",
            ["Auth:ApiKeys:0:Name"] = "tool",
            ["Auth:ApiKeys:0:Key"] = ApiKey,
        },
    };

    public Uri BaseAddress => _host.BaseAddress;
    public GatewayOverTestCluster Host => _host;
    public string StoreRoot => _host.StoreRoot;
    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("ddx-tool-files-").FullName;

    public Task InitializeAsync() => _host.StartAsync();

    /// <summary>A file of <paramref name="bytes"/> pseudo-random bytes (seeded) in the work directory.</summary>
    public string CreateFile(string name, int bytes, int seed)
    {
        var data = TestBytes.Random(bytes, seed);
        var path = Path.Combine(WorkDirectory, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(WorkDirectory, recursive: true);
    }
}
