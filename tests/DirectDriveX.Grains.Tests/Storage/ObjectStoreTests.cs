using System.Security.Cryptography;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Node.Storage;
using DirectDriveX.Storage;
using DirectDriveX.Storage.Azure;
using DirectDriveX.Storage.Objects;
using DirectDriveX.Storage.S3;
using DirectDriveX.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// The object stores against real servers (s3rver, Azurite): two "nodes" (two store instances, each with a scratch directory of
/// its own, no shared disk) stage one upload in turn, as a session moved by a killed silo does, and the file is assembled,
/// verified, published and read back by ranges from either.
/// </summary>
public abstract class ObjectStoreTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-object-store-").FullName;
    private readonly string _prefix = $"t{Guid.NewGuid():N}/";

    protected abstract IReadOnlyDictionary<string, string?> Settings { get; }

    private static async Task<List<StoredFileEntry>> ListedAsync(IUploadStore store)
    {
        var listed = new List<StoredFileEntry>();
        await foreach (var file in store.ListStoredAsync(CancellationToken.None)) listed.Add(file);
        return listed;
    }

    /// <summary>Settings naming a bucket (container) that does not exist, not to be created: a misconfigured node.</summary>
    protected abstract IReadOnlyDictionary<string, string?> MissingBucket { get; }

    protected IUploadStore Node(string name, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["FileStore:RootDirectory"] = Path.Combine(_root, name),
            ["FileStore:S3:Prefix"] = _prefix,
            ["FileStore:AzureBlob:Prefix"] = _prefix,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) settings[key] = value;
        var options = new FileStoreOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(FileStoreOptions.Section).Bind(options);
        Assert.True(new FileStoreOptionsValidator().Validate(null, options).Succeeded);
        return options.Kind switch
        {
            StoreKind.S3 => new S3UploadStore(Options.Create(options)),
            StoreKind.AzureBlob => new AzureBlobUploadStore(Options.Create(options)),
            _ => throw new InvalidOperationException($"Not an object store: {options.Kind}"),
        };
    }

    [Fact]
    public async Task A_node_checks_its_store_as_it_starts_and_one_whose_bucket_is_missing_says_so_and_keeps_trying()
    {
        var reached = new StoreCheck(Node("checked"), NullLogger<StoreCheck>.Instance);
        var missing = new StoreCheck(Node("misconfigured", MissingBucket), NullLogger<StoreCheck>.Instance);
        await Task.WhenAll(reached.StartAsync(CancellationToken.None), missing.StartAsync(CancellationToken.None));
        try
        {
            await Eventually.True(() => reached.Failure is null, TimeSpan.FromSeconds(20), "the store answers");
            await Eventually.True(() => missing.Failure != StoreCheck.NotCheckedYet, TimeSpan.FromSeconds(20), "the first check ends");
            Assert.Contains("does not exist", missing.Failure);
            Assert.False(missing.ExecuteTask!.IsCompleted); // it tries again: the bucket may be created meanwhile
            await Assert.ThrowsAsync<IOException>(() => Node("misconfigured", MissingBucket).CheckAsync(CancellationToken.None));
        }
        finally
        {
            await Task.WhenAll(reached.StopAsync(CancellationToken.None), missing.StopAsync(CancellationToken.None));
        }
    }

    [Fact]
    public async Task An_upload_staged_by_two_nodes_in_turn_is_stored_whole_and_read_back_by_ranges_from_either()
    {
        var data = TestBytes.Random(12 * MiB + 123, seed: 16);
        var uploadId = UploadIds.NewId();
        var (first, second) = (Node("silo-1"), Node("silo-2"));

        // Node 1, epoch 1: a quiet commit mid-part, then one that fills part 1 and stages the start of part 2.
        var layout = new Layout(uploadId, data.Length, MiB);
        await using (var staging = await first.OpenStagingAsync(layout.Target(1), CancellationToken.None))
        {
            await WriteAsync(staging, data, 0, 7 * MiB + 5);
            layout.Apply(await staging.CommitAsync(0, 3 * MiB, CancellationToken.None), 3 * MiB);
            layout.Apply(await staging.CommitAsync(3 * MiB, 7 * MiB + 5, CancellationToken.None), 7 * MiB + 5);
        }
        // Node 2, epoch 2 (node 1 is gone, its scratch with it): it takes the staged bytes from the store.
        await using (var staging = await second.OpenStagingAsync(layout.Target(2), CancellationToken.None))
        {
            await WriteAsync(staging, data, 7 * MiB + 5, data.Length);
            layout.Apply(await staging.CommitAsync(7 * MiB + 5, data.Length, CancellationToken.None), data.Length);
        }
        Assert.True(StagedLayout.Covers(layout.Parts, data.Length));

        var target = layout.Target(2);
        await second.AssembleAsync(target, CancellationToken.None);
        await second.AssembleAsync(target, CancellationToken.None); // idempotent: a completion retried after a lost answer
        await using (var assembled = await second.OpenAssembledAsync(target, CancellationToken.None))
            Assert.Equal(SHA256.HashData(data), await SHA256.HashDataAsync(assembled));
        var record = new StoredFileRecord(uploadId, "moved.bin", data.Length, Convert.ToHexStringLower(SHA256.HashData(data)), "application/octet-stream", DateTimeOffset.UnixEpoch, "silo-2");
        await second.PublishAsync(target, record, CancellationToken.None);

        Assert.Equal(record, await first.ReadRecordAsync(uploadId));
        await using (var stored = (await first.OpenStoredAsync(uploadId, data.Length))!)
        {
            stored.Seek(6 * MiB + 7, SeekOrigin.Begin);
            var range = new byte[1000];
            await stored.ReadExactlyAsync(range);
            Assert.Equal(data.AsSpan(6 * MiB + 7, 1000).ToArray(), range);
            stored.Seek(0, SeekOrigin.Begin);
            Assert.Equal(SHA256.HashData(data), await SHA256.HashDataAsync(stored));
        }
        // Each node deletes what it and the store hold (the first node's scratch is its own: its staging sweep, or its restart).
        foreach (var node in new[] { second, first })
            await node.DeleteStagingAsync(new StagingRemains(uploadId, 2, layout.Parts, layout.StoreUploadId), published: true, CancellationToken.None);
        Assert.Equal(record, await first.ReadRecordAsync(uploadId)); // a published file is not staging
        foreach (var node in new[] { second, first })
            await foreach (var staged in node.ListStagingAsync(CancellationToken.None)) Assert.NotEqual(uploadId, staged.UploadId);

        Assert.Contains(await ListedAsync(second), file => file.FileId == uploadId); // the retention sweep's listing
        Assert.True(await first.DeleteStoredAsync(uploadId));
        Assert.Null(await second.ReadRecordAsync(uploadId));
        Assert.DoesNotContain(await ListedAsync(second), file => file.FileId == uploadId);
        Assert.False(await first.DeleteStoredAsync(uploadId));
        AssertPartRules(layout.Parts, data.Length);
    }

    [Fact]
    public async Task A_file_committed_at_once_is_one_object_and_an_empty_file_is_an_empty_object()
    {
        var store = Node("silo-1");
        var data = TestBytes.Random(3 * MiB + 1, seed: 17);
        var layout = new Layout(UploadIds.NewId(), data.Length, MiB);
        await using (var staging = await store.OpenStagingAsync(layout.Target(1), CancellationToken.None))
        {
            await WriteAsync(staging, data, 0, data.Length);
            layout.Apply(await staging.CommitAsync(0, data.Length, CancellationToken.None), data.Length);
        }
        Assert.Equal("whole", Assert.Single(layout.Parts).Locator);
        Assert.Null(layout.StoreUploadId); // no multipart upload for a file of one part
        await store.AssembleAsync(layout.Target(1), CancellationToken.None);
        await using (var assembled = await store.OpenAssembledAsync(layout.Target(1), CancellationToken.None))
            Assert.Equal(SHA256.HashData(data), await SHA256.HashDataAsync(assembled));

        var empty = new Layout(UploadIds.NewId(), 0, MiB);
        await store.AssembleAsync(empty.Target(1), CancellationToken.None);
        var record = new StoredFileRecord(empty.UploadId, "empty", 0, Convert.ToHexStringLower(SHA256.HashData([])), "application/octet-stream", DateTimeOffset.UnixEpoch, "silo-1");
        await store.PublishAsync(empty.Target(1), record, CancellationToken.None);
        Assert.Equal(record, await store.ReadRecordAsync(empty.UploadId));
        await using var stored = (await store.OpenStoredAsync(empty.UploadId, 0))!;
        Assert.Equal(-1, stored.ReadByte());
    }

    /// <summary>A writer of an earlier epoch puts other bytes of the whole file after the live writer's put was recorded: they
    /// never become the file the live writer's parts assemble (the assembly is refused for the ETag the commit recorded; neither
    /// S3's PutObject nor the SDK's Put Blob refuses to replace an object).</summary>
    [Fact]
    public async Task A_late_whole_file_put_of_an_earlier_writer_is_never_assembled_as_the_file()
    {
        var data = TestBytes.Random(3 * MiB + 1, seed: 19);
        var other = TestBytes.Random(data.Length, seed: 23);
        var layout = new Layout(UploadIds.NewId(), data.Length, MiB);
        var live = Node("silo-2");
        await using var stale = await Node("silo-1").OpenStagingAsync(layout.Target(1), CancellationToken.None);
        await WriteAsync(stale, other, 0, other.Length);
        await using (var staging = await live.OpenStagingAsync(layout.Target(2), CancellationToken.None))
        {
            await WriteAsync(staging, data, 0, data.Length);
            layout.Apply(await staging.CommitAsync(0, data.Length, CancellationToken.None), data.Length);
        }

        await stale.CommitAsync(0, other.Length, CancellationToken.None); // lands over the object the live writer recorded
        var refused = await Assert.ThrowsAsync<IOException>(() => live.AssembleAsync(layout.Target(2), CancellationToken.None));
        Assert.StartsWith($"The object of upload {layout.UploadId} is not the one its writer stored (ETag ", refused.Message);
        Assert.EndsWith("another writer replaced it; send the file again as a new upload.", refused.Message);
    }

    [Fact]
    public async Task An_upload_staged_before_its_length_was_known_keeps_its_part_plan_once_it_is_declared()
    {
        // Created without its length, for up to 100 GiB: S3 parts of 12 MiB (100 GiB in at most 9,000); declared 12 MiB + 3,
        // which alone would be cut in 8 MiB parts. The parts staged before must stay the parts after.
        var store = Node("silo-1");
        var data = TestBytes.Random(12 * MiB + 3, seed: 19);
        const long bound = 100L * 1024 * MiB;
        var layout = new Layout(UploadIds.NewId(), bound, 8 * MiB) { PlanSize = bound };
        await using (var staging = await store.OpenStagingAsync(layout.Target(1), CancellationToken.None))
        {
            await WriteAsync(staging, data, 0, 9 * MiB + 1);
            layout.Apply(await staging.CommitAsync(0, 9 * MiB + 1, CancellationToken.None), 9 * MiB + 1);
        }
        layout.Declare(data.Length);
        await using (var staging = await store.OpenStagingAsync(layout.Target(2), CancellationToken.None))
        {
            await WriteAsync(staging, data, 9 * MiB + 1, data.Length);
            layout.Apply(await staging.CommitAsync(9 * MiB + 1, data.Length, CancellationToken.None), data.Length);
        }
        Assert.True(StagedLayout.Covers(layout.Parts, data.Length));
        await store.AssembleAsync(layout.Target(2), CancellationToken.None);
        await using (var assembled = await store.OpenAssembledAsync(layout.Target(2), CancellationToken.None))
            Assert.Equal(SHA256.HashData(data), await SHA256.HashDataAsync(assembled));
        await store.DeleteStagingAsync(new StagingRemains(layout.UploadId, 2, layout.Parts, layout.StoreUploadId), published: false, CancellationToken.None);
    }

    [Fact]
    public async Task An_abandoned_upload_leaves_nothing_once_its_staging_is_deleted()
    {
        var store = Node("silo-1");
        var data = TestBytes.Random(8 * MiB, seed: 18);
        var layout = new Layout(UploadIds.NewId(), 20 * MiB, MiB);
        await using (var staging = await store.OpenStagingAsync(layout.Target(1), CancellationToken.None))
        {
            await WriteAsync(staging, data, 0, data.Length);
            layout.Apply(await staging.CommitAsync(0, data.Length, CancellationToken.None), data.Length);
        }
        await store.DeleteStagingAsync(new StagingRemains(layout.UploadId, 1, layout.Parts, layout.StoreUploadId), published: false, CancellationToken.None);
        await foreach (var staged in store.ListStagingAsync(CancellationToken.None)) Assert.NotEqual(layout.UploadId, staged.UploadId);
        Assert.Null(await store.ReadRecordAsync(layout.UploadId));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>S3's rules, checked on what was recorded, so that a change that breaks them fails here even on a server that
    /// does not enforce them (s3rver): parts of one size, at least 5 MiB, but the last; part numbers ascending.</summary>
    protected virtual void AssertPartRules(IReadOnlyList<StagedPart> parts, long size) { }

    private static async Task WriteAsync(IStagingFile staging, byte[] data, long from, long to)
    {
        for (var offset = from; offset < to; offset += 256 * 1024)
        {
            var count = (int)Math.Min(256 * 1024, to - offset);
            await staging.WriteAsync(offset, data.AsMemory((int)offset, count), CancellationToken.None);
        }
    }

    /// <summary>What a session grain keeps of an upload's staging: the parts and the store's id.</summary>
    private sealed class Layout(string uploadId, long size, int chunkSize)
    {
        private long _size = size;

        public string UploadId => uploadId;

        /// <summary>What the parts are planned by, when not the size (an upload created without its length).</summary>
        public long? PlanSize { get; init; }

        /// <summary>The upload's length becomes known (tus creation-defer-length).</summary>
        public void Declare(long length) => _size = length;
        public StagedPart[] Parts { get; private set; } = [];
        public string? StoreUploadId { get; private set; }
        public long Committed { get; private set; }

        public StagingTarget Target(int epoch) => new(uploadId, epoch, _size, chunkSize, Committed, Parts, StoreUploadId, PlanSize);

        public void Apply(StagedCommit commit, long end)
        {
            Parts = StagedLayout.AfterCommit(Parts, Committed, end, commit.Parts);
            StoreUploadId ??= commit.StoreUploadId;
            Assert.Equal(StoreUploadId, commit.StoreUploadId ?? StoreUploadId);
            Committed = end;
        }
    }
}

public sealed class S3ObjectStoreTests(S3rverServer server) : ObjectStoreTests, IClassFixture<S3rverServer>
{
    protected override IReadOnlyDictionary<string, string?> Settings => server.Settings;

    protected override IReadOnlyDictionary<string, string?> MissingBucket { get; } = new Dictionary<string, string?>
    {
        ["FileStore:S3:Bucket"] = $"missing-{Guid.NewGuid():N}"[..30], ["FileStore:S3:CreateBucket"] = "false",
    };

    protected override void AssertPartRules(IReadOnlyList<StagedPart> parts, long size)
    {
        var partSize = ObjectPartPlan.PartSize(size, 1024 * 1024, 9_000);
        Assert.All(parts, part => Assert.StartsWith("p", part.Locator));
        Assert.All(parts.SkipLast(1), part => Assert.Equal(partSize, part.Length));
        Assert.All(parts.SkipLast(1), part => Assert.True(part.Length >= ObjectPartPlan.MinPartBytes));
        var numbers = parts.Select(part => int.Parse(part.Locator[1..part.Locator.IndexOf('@')])).ToList();
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Distinct().Count(), numbers.Count);
        // epoch 2 skipped numbers 2 and 3 (S3StagingFile.TakeoverGap): the parts of epoch 1's last commit, had it been in
        // flight, can never overwrite one of epoch 2's own
        Assert.Equal([1, 4, 5], numbers);
    }
}

public sealed class AzureBlobObjectStoreTests(AzuriteServer server) : ObjectStoreTests, IClassFixture<AzuriteServer>
{
    protected override IReadOnlyDictionary<string, string?> Settings => server.Settings;

    protected override IReadOnlyDictionary<string, string?> MissingBucket { get; } = new Dictionary<string, string?>
    {
        ["FileStore:AzureBlob:Container"] = $"missing-{Guid.NewGuid():N}"[..30], ["FileStore:AzureBlob:CreateContainer"] = "false",
    };

    protected override void AssertPartRules(IReadOnlyList<StagedPart> parts, long size) =>
        Assert.All(parts, part => Assert.StartsWith("b", part.Locator));
}
