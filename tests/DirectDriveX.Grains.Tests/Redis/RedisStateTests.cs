using DirectDriveX.Grains.Clients;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Tests.Cluster;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace DirectDriveX.Grains.Tests.Redis;

/// <summary>Session state and file records in Redis grain storage, on a real redis-server: they outlive their activations.</summary>
public sealed class RedisStateTests : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly RedisServer _redis;
    private readonly string _storeRoot = Directory.CreateTempSubdirectory("ddx-store-").FullName;
    private InProcessTestCluster? _cluster;

    public RedisStateTests(RedisServer redis) => _redis = redis;

    private InProcessTestCluster Cluster => _cluster!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["FileStore:RootDirectory"] = _storeRoot,
            ["MemoryBudget:MemoryLimitBytes"] = (2L << 30).ToString(),
        };
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo
            .AddDirectDriveXRedisStorage(_redis.ConnectionString)
            .AddDirectDriveX(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        Directory.Delete(_storeRoot, recursive: true);
    }

    [Fact]
    public async Task An_upload_survives_its_activation_through_Redis_and_its_record_is_kept_there()
    {
        var grains = Cluster.Client;
        var silo = Cluster.Silos[1].SiloAddress;
        var data = TestBytes.Random(300_000, seed: 11);
        var (grain, info) = await UploadDriver.StartOn(grains, silo, new UploadRequest("r.bin", data.Length, "application/x-test"));
        await UploadDriver.SendAll(Cluster, info, data[..131_072]);

        await Cluster.DeactivateAsync(grain);
        var resumed = await grain.GetState();
        Assert.Equal((UploadState.Receiving, 131_072L, info.NodeId), (resumed.State, resumed.CommittedOffset, resumed.LeaseNodeId));
        Assert.True((await grain.Open(info.ResumeToken, requireToken: true)).Opened);

        await UploadDriver.SendAll(Cluster, info, data, from: 131_072);
        var completed = await UploadDriver.Complete(Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), completed.File!.Sha256);

        var file = grains.GetGrain<IStoredFileGrain>(info.UploadId);
        await Cluster.DeactivateAsync(file);
        Assert.Equal(completed.File, await file.GetRecord());
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_storeRoot, "files", info.UploadId)));

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var keys = redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: $"*{info.UploadId}*").ToList();
        Assert.True(keys.Count >= 2, $"session and file state keys in Redis, found: {string.Join(", ", keys)}");
        // The file's record is kept for good; the session's expires a week (Uploads:SessionRecordLifetime) after its last write.
        var lives = new Dictionary<string, TimeSpan?>();
        foreach (var key in keys) lives[key.ToString()] = await redis.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.Null(Assert.Single(lives, k => k.Key.Contains("storedfile", StringComparison.OrdinalIgnoreCase)).Value);
        var session = Assert.Single(lives, k => k.Key.Contains("uploadsession", StringComparison.OrdinalIgnoreCase)).Value;
        Assert.NotNull(session);
        Assert.InRange(session.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
    }

    /// <summary>A session's record written before sealed pages (issue 16) has no <c>Pages</c>: it is read as a tail with every
    /// part, and the upload resumes and completes from it.</summary>
    [Fact]
    public async Task A_session_record_written_before_sealed_pages_is_read_as_a_tail_with_every_part()
    {
        var data = TestBytes.Random(300_000, seed: 13);
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, Cluster.Silos[0].SiloAddress, new UploadRequest("old.bin", data.Length));
        await UploadDriver.SendAll(Cluster, info, data[..131_072]);
        await Cluster.DeactivateAsync(grain);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var key = redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: $"*uploadsession*{info.UploadId}*").Single();
        var record = System.Text.Json.Nodes.JsonNode.Parse((string)(await redis.GetDatabase().HashGetAsync(key, "data"))!)!.AsObject();
        Assert.True(record.Remove("Pages"), $"the record as written now lists its pages: {record.ToJsonString()[..200]}");
        await redis.GetDatabase().HashSetAsync(key, "data", record.ToJsonString()); // as the version before pages wrote it

        Assert.Equal(131_072L, (await grain.GetState()).CommittedOffset);
        await UploadDriver.SendAll(Cluster, info, data, from: 131_072);
        var completed = await UploadDriver.Complete(Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), completed.File!.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_storeRoot, "files", info.UploadId)));
    }

    [Fact]
    public async Task A_client_without_a_day_limit_leaves_no_key_once_its_last_upload_ends()
    {
        var name = $"addr:nolimit-{Guid.NewGuid():N}";
        var client = Cluster.Client.GetGrain<IUploadClientGrain>(name);
        var limits = new ClientLimits(2);
        Assert.Null(await client.TryAdmit("u1", 4_000, limits));
        Assert.Null(await client.TryAdmit("u2", 5_000, limits));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        Assert.Single(KeysOf(redis, name));

        await client.Release("u1", 4_000);
        Assert.Single(KeysOf(redis, name));
        await client.Release("u2", 5_000);
        // Deleted, not left as an empty hash; a release that gives nothing back to a day limit is written behind its answer.
        await Eventually.Holds(() => Task.FromResult(KeysOf(redis, name)), keys => keys.Count == 0, TimeSpan.FromSeconds(10), "the client's key deleted");

        await Cluster.DeactivateAsync(client);
        Assert.Equal((0, 0L), ((await client.GetState()).LiveUploads.Count, (await client.GetState()).BytesToday));
    }

    [Fact]
    public async Task A_day_limited_clients_bytes_outlive_its_uploads_in_a_key_that_expires()
    {
        var name = $"addr:limited-{Guid.NewGuid():N}";
        var client = Cluster.Client.GetGrain<IUploadClientGrain>(name);
        var limits = new ClientLimits(2, BytesPerDay: 10_000);
        Assert.Null(await client.TryAdmit("u1", 4_000, limits));
        await client.Release("u1", 4_000);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var key = Assert.Single(KeysOf(redis, name));
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, UploadClientGrain.RecordLifetime - TimeSpan.FromMinutes(1), UploadClientGrain.RecordLifetime);

        await Cluster.DeactivateAsync(client);
        Assert.Equal(4_000L, (await client.GetState()).BytesToday);
        Assert.Equal(RefusalReason.QuotaExceeded, (await client.TryAdmit("u2", 6_001, limits))!.Reason);
    }

    private static List<RedisKey> KeysOf(ConnectionMultiplexer redis, string grainKey) =>
        redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: $"*{grainKey.Split(':')[1]}*").ToList();

    [Fact]
    public async Task A_clients_count_outlives_its_activation_through_Redis()
    {
        var client = Cluster.Client.GetGrain<IUploadClientGrain>($"addr:redis-{Guid.NewGuid():N}");
        var limits = new ClientLimits(2, BytesPerDay: 10_000);
        Assert.Null(await client.TryAdmit("u1", 4_000, limits));
        Assert.Null(await client.TryAdmit("u2", 5_000, limits));

        await Cluster.DeactivateAsync(client);
        var usage = await client.GetState();
        Assert.Equal(["u1", "u2"], usage.LiveUploads.Order());
        Assert.Equal(9_000L, usage.BytesToday);
        Assert.Equal(RefusalReason.TooManyUploads, (await client.TryAdmit("u3", 1, limits))!.Reason);
        await client.Release("u1", 1_000); // 3,000 bytes never arrived: given back
        await Cluster.DeactivateAsync(client);
        Assert.Equal(6_000L, (await client.GetState()).BytesToday);
        Assert.Equal(RefusalReason.QuotaExceeded, (await client.TryAdmit("u3", 4_001, limits))!.Reason);
    }
}
