using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3.Model;
using DirectDriveX.Node.Buffers;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Tests.Cluster;
using DirectDriveX.Storage;
using DirectDriveX.Storage.Azure;
using DirectDriveX.Storage.S3;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// On an object store a writer's scratch disk holds at most two chunks of an upload, however slow the store: the chunk being
/// sent and the one being received. The store here (a real s3rver or Azurite behind <see cref="SlowCommitStore"/>) lets a commit
/// go only once the writer has stopped reading (its pooled buffer is back in the pool), or once it has written a third chunk
/// past the commit (which a writer that runs ahead does, and then the peak shows it).
/// </summary>
public abstract class ScratchBoundTests(ObjectStoreServer server) : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private OwnTestCluster _silo = null!;

    protected InProcessTestCluster Cluster => _silo.Cluster;

    /// <summary>Azure only: stalls one Put Block after its body was read (<see cref="PutBlockHold"/>).</summary>
    protected PutBlockHold BlockHold { get; } = new();

    public async Task InitializeAsync() => _silo = await OwnTestCluster.StartAsync("scratch", root =>
    {
        var settings = server.NodeSettings(root);
        // Deadlines a slow store can outlast in a test: writers check in every 2 s.
        settings["Uploads:FirstByteTimeout"] = "00:00:06";
        settings["MemoryBudget:LeaseTimeout"] = "00:00:09";
        settings["MemoryBudget:SweepInterval"] = "00:00:00.200";
        return settings;
    }, (services, root) =>
    {
        services.AddSingleton(sp =>
        {
            var clientOptions = new Azure.Storage.Blobs.BlobClientOptions();
            clientOptions.AddPolicy(BlockHold, Azure.Core.HttpPipelinePosition.PerCall);
            IUploadStore inner = server is S3rverServer
                ? ActivatorUtilities.CreateInstance<S3UploadStore>(sp)
                : new AzureBlobUploadStore(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<FileStoreOptions>>(), clientOptions);
            return new SlowCommitStore(inner, Path.Combine(root, "scratch"));
        });
        services.AddSingleton<IUploadStore>(sp => sp.GetRequiredService<SlowCommitStore>());
    });

    public Task DisposeAsync() => _silo.DisposeAsync().AsTask();

    [Fact]
    public async Task A_writer_stops_reading_while_two_chunks_wait_for_a_slow_store_so_its_scratch_never_holds_more()
    {
        var silo = _silo.Silo;
        var services = Cluster.GetSiloServiceProvider(silo);
        var store = services.GetRequiredService<SlowCommitStore>();
        var pool = services.GetRequiredService<ChunkBufferPool>();
        var data = TestBytes.Random(64 * MiB + 4321, seed: 161);
        var (_, info) = await UploadDriver.StartOn(Cluster.Client, silo, new UploadRequest("slow-store.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var chunk = info.ChunkSize;
        Assert.True(chunk >= 5 * MiB, $"chunks of {chunk}: an S3 part (at least 5 MiB) is then one chunk, and one scratch window");

        // A commit waits while the writer holds its buffer (it is still reading), unless it wrote a third chunk past the commit.
        store.MayCommit = end => pool.Statistics.BuffersInUse == 0 || store.WrittenEnd >= Math.Min(data.Length, end + 2L * chunk);
        await UploadDriver.SendAll(Cluster, info, data);

        Assert.InRange(store.PeakScratchBytes, chunk + 1, 2L * chunk); // the pipeline ran: two chunks, and never a third
        Assert.InRange(store.LargestPart, 1, chunk); // commits that queued up together still go as bodies of one chunk each
        var done = await UploadDriver.Complete(Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File!.Sha256);
        Assert.Equal(0, store.ScratchBytes());
    }

    [Fact]
    public async Task A_body_held_for_its_checksum_goes_to_the_store_a_chunk_at_a_time_and_counts_only_once_it_is_verified()
    {
        var silo = _silo.Silo;
        var services = Cluster.GetSiloServiceProvider(silo);
        var store = services.GetRequiredService<SlowCommitStore>();
        var pool = services.GetRequiredService<ChunkBufferPool>();
        var data = TestBytes.Random(64 * MiB + 777, seed: 163);
        var (_, info) = await UploadDriver.StartOn(Cluster.Client, silo, new UploadRequest("held.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var chunk = info.ChunkSize;
        // As above, and a commit also goes once its body has all been written (nothing more can come). The first body ends on
        // a chunk's end, so all of it reaches the staging file as it is received (a body's last slice of less than 256 KiB
        // would stay in the writer's buffer until its client pauses), and its writer keeps that buffer until it is disposed,
        // after the discard has waited for every commit: without the second term the last commit waited for ever.
        var firstBody = 6 * chunk;
        store.MayCommit = end => pool.Statistics.BuffersInUse == 0 || store.WrittenEnd >= Math.Min(firstBody, end + 2L * chunk);

        // A body whose checksum fails (tus Upload-Checksum): sent to the store as it came, never recorded.
        var handle = await UploadDriver.Open(Cluster, info);
        await using (var writer = await handle.OpenHeldWriterAsync())
        {
            await writer.WriteAsync(data.AsMemory(0, firstBody), CancellationToken.None);
            await writer.DiscardAsync();
            Assert.Equal(0, writer.CommittedOffset);
        }
        Assert.InRange(store.PeakScratchBytes, chunk + 1, 2L * chunk);
        Assert.Equal(0, (await Cluster.Client.GetGrain<IUploadSessionGrain>(info.UploadId).GetState()).CommittedOffset);

        // The client sends it again, whole, and this time it is verified: the session records every part the store holds.
        store.MayCommit = end => pool.Statistics.BuffersInUse == 0 || store.WrittenEnd >= Math.Min(data.Length, end + 2L * chunk);
        handle = await UploadDriver.Open(Cluster, info);
        await using (var writer = await handle.OpenHeldWriterAsync())
        {
            await writer.WriteAsync(data, CancellationToken.None);
            Assert.Equal(data.Length, await writer.CompleteAsync());
        }
        Assert.InRange(store.PeakScratchBytes, chunk + 1, 2L * chunk);
        Assert.InRange(store.LargestPart, 1, chunk);
        var done = await UploadDriver.Complete(Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File!.Sha256);
        Assert.Equal(0, store.ScratchBytes());
    }

    [Fact]
    public async Task A_store_slower_than_the_sessions_deadlines_neither_expires_nor_parks_the_session_whose_bytes_it_is_taking()
    {
        var silo = _silo.Silo;
        var store = Cluster.GetSiloServiceProvider(silo).GetRequiredService<SlowCommitStore>();
        var data = TestBytes.Random(24 * MiB + 5, seed: 164);
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, silo, new UploadRequest("slow.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var stalled = true;
        store.MayCommit = _ => !Volatile.Read(ref stalled); // the store takes nothing until the test lets it
        var sending = UploadDriver.SendAll(Cluster, info, data);

        // Longer than the first-byte deadline (6 s) and the lease timeout (9 s) together, the session waits for its first
        // commit: its writer, stopped by the scratch bound, checks in, so it neither expires nor parks.
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(16))
        {
            var status = await grain.GetState();
            Assert.True(status.State == UploadState.Reserved && status.LeaseNodeId == info.NodeId,
                $"{status.State} with lease node '{status.LeaseNodeId}' after {DateTime.UtcNow - started} of a stalled store");
            Assert.False(sending.IsFaulted, sending.Exception?.ToString());
            await Task.Delay(250); // the test's pace: it watches time pass, it waits for no condition
        }
        Volatile.Write(ref stalled, false);
        await sending;
        var done = await UploadDriver.Complete(Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File!.Sha256);
    }

    /// <summary>A body held for its checksum whose writer is taken over mid-body (its session moved to a new activation on the
    /// same node, epoch 2, after the writer had sent three chunks to the store): the writer's next check-in is refused, nothing
    /// of its body counts, and the client's body sent again from the committed offset is stored byte-identical (on S3 through a
    /// multipart upload of its own: the first writer's, known to no session, was aborted at its discard).</summary>
    [Fact]
    public async Task A_held_body_whose_writer_is_taken_over_mid_body_keeps_nothing_and_the_body_sent_again_is_stored_byte_identical()
    {
        var silo = _silo.Silo;
        var store = Cluster.GetSiloServiceProvider(silo).GetRequiredService<SlowCommitStore>();
        var data = TestBytes.Random(64 * MiB + 4099, seed: 167);
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, silo, new UploadRequest("held-takeover.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var chunk = info.ChunkSize;

        var handle = await UploadDriver.Open(Cluster, info);
        var stale = await handle.OpenHeldWriterAsync();
        await stale.WriteAsync(data.AsMemory(0, 3 * chunk), CancellationToken.None);
        await Eventually.Holds(() => Task.FromResult(store.CommitsDone), done => done >= 2, TimeSpan.FromSeconds(60), "two chunks in the store");
        await UploadDriver.MoveTo(Cluster, info, silo); // deactivated and activated again: epoch 2 takes over

        UploadRefusal? refusal = null;
        try
        {
            await stale.WriteAsync(data.AsMemory(3 * chunk, 3 * chunk), CancellationToken.None);
            await stale.CompleteAsync();
        }
        catch (UploadRefusedException e)
        {
            refusal = e.Refusal;
            await stale.DiscardAsync();
        }
        await stale.DisposeAsync();
        Assert.Equal(new UploadRefusal(RefusalReason.NodeUnavailable,
            $"Upload {info.UploadId} has been taken over by a newer writer; reconnect to continue from 0."), refusal);
        Assert.Equal(0, (await grain.GetState()).CommittedOffset);

        handle = await UploadDriver.Open(Cluster, info);
        await using (var writer = await handle.OpenHeldWriterAsync())
        {
            await writer.WriteAsync(data, CancellationToken.None);
            Assert.Equal(data.Length, await writer.CompleteAsync());
        }
        await CompletesByteIdenticalAsync(store, info, data);
    }

    /// <summary>A body held for its checksum sends its parts and records them only at its end: here its writer (epoch 1, after
    /// one recorded chunk) has written five chunks and the commit of its fifth is on its way when the session moves (epoch 2), and that fifth
    /// lands only after the new writer has stored and recorded three chunks of its own. It lands on nothing the new writer
    /// records (S3: part numbers past the ones the session let the held writer send; Azure: block ids of the epoch), so the
    /// upload completes byte-identical. Before the session recorded the held writer's part numbers, the late S3 part took
    /// the number of the new writer's third part and replaced it (s3rver checks no ETag at the completion: the upload failed
    /// its SHA-256; S3 refuses the completion for the ETag).</summary>
    [Fact]
    public async Task A_held_body_s_part_that_lands_after_a_takeover_replaces_nothing_the_new_writer_records()
    {
        var silo = _silo.Silo;
        var store = Cluster.GetSiloServiceProvider(silo).GetRequiredService<SlowCommitStore>();
        var data = TestBytes.Random(64 * MiB + 555, seed: 169);
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, silo, new UploadRequest("late-part.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var chunk = info.ChunkSize;
        var late = 6L * chunk;
        var release = false;
        store.MayCommit = end => end != late || Volatile.Read(ref release);

        var handle = await UploadDriver.Open(Cluster, info);
        await using (var first = await handle.OpenWriterAsync(onCommitted: null))
        {
            await first.WriteAsync(data.AsMemory(0, chunk), CancellationToken.None);
            Assert.Equal(chunk, await first.CompleteAsync());
        }
        handle = await UploadDriver.Open(Cluster, info);
        var stale = await handle.OpenHeldWriterAsync();
        await stale.WriteAsync(data.AsMemory(chunk, 5 * chunk), CancellationToken.None);
        // Its last chunk's commit waits, the only one in flight. (Not "four commits done": when its committer falls behind, a
        // writer folds the chunk ends queued meanwhile into one commit, so the count of commits depends on the machine's load.)
        await Eventually.Holds(() => Task.FromResult((store.IsWaiting(late), store.CommitsInFlight)), s => s == (true, 1), TimeSpan.FromSeconds(60),
            "the commit of the held body's last chunk on its way, the only one in flight");
        await UploadDriver.MoveTo(Cluster, info, silo); // epoch 2 takes over

        var resent = UploadDriver.SendAll(Cluster, info, data, from: chunk);
        await Eventually.Holds(async () => (await grain.GetState()).CommittedOffset, committed => committed >= 4L * chunk, TimeSpan.FromSeconds(60),
            "three chunks of the new writer recorded");
        Volatile.Write(ref release, true);
        await stale.DiscardAsync(); // waits for its late send
        await stale.DisposeAsync();
        await resent;

        await CompletesByteIdenticalAsync(store, info, data);
    }

    /// <summary>Completes the upload and reads its stored file back: its SHA-256 and every byte are the ones sent.</summary>
    protected async Task CompletesByteIdenticalAsync(IUploadStore store, UploadSessionInfo info, byte[] data)
    {
        var done = await UploadDriver.Complete(Cluster, info);
        Assert.True(done.File is not null, done.Refusal?.Message);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File.Sha256);
        await using var stored = await store.OpenStoredAsync(done.File.FileId, data.Length);
        var read = new MemoryStream();
        await stored!.CopyToAsync(read);
        Assert.True(data.AsSpan().SequenceEqual(read.ToArray()), "the stored file differs from the bytes sent");
    }

    /// <summary>Store commits one writer keeps in flight: two where the store's commits are independent (Azure blocks), one
    /// where a commit depends on the one before (S3: part numbers, the multipart upload the first part creates).</summary>
    protected abstract int CommitsInFlight { get; }

    [Fact]
    public async Task A_writer_keeps_as_many_commits_in_flight_as_its_store_takes_and_its_scratch_still_holds_two_chunks_at_most()
    {
        var silo = _silo.Silo;
        var store = Cluster.GetSiloServiceProvider(silo).GetRequiredService<SlowCommitStore>();
        var data = TestBytes.Random(64 * MiB + 99, seed: 162);
        var (_, info) = await UploadDriver.StartOn(Cluster.Client, silo, new UploadRequest("in-flight.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var chunk = info.ChunkSize;

        // The first commits wait until as many as the store takes have been in flight at once (or nothing more can come); the
        // rest go at once. (Not "are in flight now": the second of two could finish before the first looked again.)
        store.MayCommit = _ => store.PeakCommitsInFlight >= CommitsInFlight || store.WrittenEnd == data.Length;
        await UploadDriver.SendAll(Cluster, info, data);

        Assert.Equal(CommitsInFlight, store.PeakCommitsInFlight);
        Assert.InRange(store.PeakScratchBytes, chunk + 1, 2L * chunk);
        Assert.InRange(store.LargestPart, 1, chunk);
        var done = await UploadDriver.Complete(Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File!.Sha256);
    }
}

public sealed class S3ScratchBoundTests(S3rverServer server) : ScratchBoundTests(server), IClassFixture<S3rverServer>
{
    private const int MiB = 1024 * 1024;

    protected override int CommitsInFlight => 1;

    /// <summary>A first body held for its checksum that fails it after its writer sent two parts: the multipart upload its first
    /// part created is in no session (nothing of the body was recorded, and the session learns the id with the first part it
    /// records), so the writer aborts it at the discard rather than leaving it to the bucket's lifecycle rule; the body sent
    /// again creates an upload of its own, which is completed and never aborted. s3rver answers AbortMultipartUpload with 405,
    /// so the test watches the requests the store's client sends (the SDK's own events), not the bucket.</summary>
    [Fact]
    public async Task A_failed_first_held_body_s_multipart_upload_is_aborted_at_its_discard()
    {
        var silo = Cluster.Silos[0].SiloAddress;
        var store = Cluster.GetSiloServiceProvider(silo).GetRequiredService<SlowCommitStore>();
        var client = (AmazonServiceClient)((S3UploadStore)store.Inner).Client;
        var created = new ConcurrentQueue<string>();
        var aborted = new ConcurrentQueue<string>();
        client.BeforeRequestEvent += (_, e) => { if (e is WebServiceRequestEventArgs { Request: AbortMultipartUploadRequest abort }) aborted.Enqueue(abort.UploadId); };
        client.AfterResponseEvent += (_, e) => { if (e is WebServiceResponseEventArgs { Response: InitiateMultipartUploadResponse response }) created.Enqueue(response.UploadId); };
        var data = TestBytes.Random(64 * MiB + 31, seed: 168);
        var (_, info) = await UploadDriver.StartOn(Cluster.Client, silo, new UploadRequest("aborted.bin", data.Length, null, TestBytes.Sha256Hex(data)));

        var handle = await UploadDriver.Open(Cluster, info);
        await using (var writer = await handle.OpenHeldWriterAsync())
        {
            await writer.WriteAsync(data.AsMemory(0, 3 * info.ChunkSize), CancellationToken.None);
            await Eventually.Holds(() => Task.FromResult(store.CommitsDone), done => done >= 2, TimeSpan.FromSeconds(60), "two parts in the store");
            await writer.DiscardAsync(); // the body's checksum failed
        }
        var first = Assert.Single(created);
        Assert.Equal([first], aborted);

        handle = await UploadDriver.Open(Cluster, info);
        await using (var writer = await handle.OpenHeldWriterAsync())
        {
            await writer.WriteAsync(data, CancellationToken.None);
            Assert.Equal(data.Length, await writer.CompleteAsync());
        }
        var done = await UploadDriver.Complete(Cluster, info);
        Assert.Equal(TestBytes.Sha256Hex(data), done.File!.Sha256);
        Assert.Equal(2, created.Count);
        Assert.Equal([first], aborted);
    }
}

public sealed class AzureBlobScratchBoundTests(AzuriteServer server) : ScratchBoundTests(server), IClassFixture<AzuriteServer>
{
    private const int MiB = 1024 * 1024;

    protected override int CommitsInFlight => 2;

    /// <summary>Two writers of one epoch on one node: after one recorded chunk, a held body whose bytes were corrupted on the way
    /// sends its second block, and that request stalls after its body was read (on the network), past the takeover's drain
    /// (10 s; the session parks meanwhile), until the new connection's writer has stored and recorded the same range from the
    /// right bytes. Block ids name the writer as well as the epoch and offset, so the late block is one no writer records and
    /// the stored file is the one sent. Before, both writers named it by epoch and offset alike, the late block replaced the
    /// recorded one, and the upload failed its SHA-256 (or, had the new writer received every byte from 0, stored the
    /// corrupted chunk under the hash of the right one).</summary>
    [Fact]
    public async Task A_late_block_of_a_writer_taken_over_on_its_node_replaces_nothing_the_new_writer_records()
    {
        var silo = Cluster.Silos[0].SiloAddress;
        var store = Cluster.GetSiloServiceProvider(silo).GetRequiredService<SlowCommitStore>();
        var data = TestBytes.Random(64 * MiB + 333, seed: 170);
        var corrupted = TestBytes.Random(64 * MiB + 333, seed: 171);
        var (grain, info) = await UploadDriver.StartOn(Cluster.Client, silo, new UploadRequest("late-block.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        var chunk = info.ChunkSize;

        var handle = await UploadDriver.Open(Cluster, info);
        await using (var first = await handle.OpenWriterAsync(onCommitted: null))
        {
            await first.WriteAsync(data.AsMemory(0, chunk), CancellationToken.None);
            Assert.Equal(chunk, await first.CompleteAsync());
        }
        BlockHold.Offset = 2L * chunk;
        handle = await UploadDriver.Open(Cluster, info);
        var stale = await handle.OpenHeldWriterAsync();
        await stale.WriteAsync(corrupted.AsMemory(chunk, 2 * chunk), CancellationToken.None);
        await Eventually.Holds(() => Task.FromResult(BlockHold.Holding), held => held, TimeSpan.FromSeconds(60), "the held body's second block read and stalled");

        var resent = UploadDriver.SendAll(Cluster, info, data, from: chunk); // takes over once the drain of the stalled writer gives up
        await Eventually.Holds(async () =>
        {
            if (resent.IsFaulted) await resent;
            return (await grain.GetState()).CommittedOffset;
        }, committed => committed >= 3L * chunk, TimeSpan.FromSeconds(60), "the new writer's blocks of the same range recorded");
        BlockHold.Release();
        await stale.DiscardAsync(); // waits for its late block
        await stale.DisposeAsync();
        await resent;

        await CompletesByteIdenticalAsync(store, info, data);
    }
}
