
namespace DirectDriveX.Deployment.Tests.Clustering;

/// <summary>
/// Two silos in this process that find each other only through Redis clustering, on the redis-server of DDX_TEST_REDIS
/// (or one started from /usr/bin/redis-server). A cluster id of their own, so parallel runs on one Redis never mix.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public const long GiB = 1L << 30;

    public RedisServer Redis { get; } = new();
    public string FileStoreRoot { get; } = Directory.CreateTempSubdirectory("ddx-deploy-store-").FullName;
    public string ClusterId { get; } = $"ddx-test-{Guid.NewGuid():N}";
    public List<RedisSilo> Silos { get; } = [];

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        // One after the other: the first silo creates the cluster's membership table, the second joins it.
        Silos.Add(await RedisSilo.StartAsync(Redis.ConnectionString, ClusterId, "redis-silo-a", 2 * GiB, FileStoreRoot));
        Silos.Add(await RedisSilo.StartAsync(Redis.ConnectionString, ClusterId, "redis-silo-b", 3 * GiB, FileStoreRoot));
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in Enumerable.Reverse(Silos)) await silo.DisposeAsync();
        await Redis.DisposeAsync();
        Directory.Delete(FileStoreRoot, recursive: true);
    }
}
