
namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>
/// The real gateway over a real two-silo cluster (<see cref="GatewayOverTestCluster"/>), for driving the upload tool over
/// the network as a user would. Files larger than 64 MiB are refused.
/// </summary>
public sealed class GatewayUnderTest : IAsyncLifetime
{
    public const long MaxFileSizeBytes = 64L << 20;

    private readonly GatewayOverTestCluster _host = new(2, _ => new Dictionary<string, string?>
    {
        ["MemoryBudget:MemoryLimitBytes"] = (2L << 30).ToString(),
        ["FileStore:FlushToDisk"] = "false",
        ["Uploads:MaxFileSizeBytes"] = MaxFileSizeBytes.ToString(),
    });

    public Uri BaseAddress => _host.BaseAddress;
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
