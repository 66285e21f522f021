using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Grains.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using static DirectDriveX.Grains.Tests.Cluster.ClusterFixture;

namespace DirectDriveX.Grains.Tests.DataPlane;

/// <summary>A session started by a request that carries its bytes (<see cref="UploadRequest.BodyFollows"/>: tus
/// creation-with-upload, multipart) is written once, with its first commit or its completion, not also at its start (issue
/// 19); whatever answers about it first (a status call, an open, its activation going) writes it before it answers; one
/// completed by that request keeps no record of its own: the store's published record, durable before the answer, answers
/// for it (<see cref="CompletedSession"/>). A file of at most 1 MiB is committed once, at the end of its request, when
/// nothing is acknowledged per commit.</summary>
[Collection(BudgetCluster.Name)]
public class DeferredStartRecordTests(BudgetClusterFixture fixture)
{
    private SiloAddress Node => fixture.Silo("Silo_1");

    private UploadDataPlane Plane => fixture.Cluster.GetSiloServiceProvider(Node).GetRequiredService<UploadDataPlane>();

    /// <summary>The session's record as its storage holds it now.</summary>
    private async Task<IGrainState<UploadSessionState>> RecordOf(string uploadId)
    {
        var storage = fixture.Cluster.GetSiloServiceProvider(Node).GetRequiredKeyedService<IGrainStorage>(UploadSessionGrain.StorageName);
        var record = new GrainState<UploadSessionState>(new UploadSessionState());
        await storage.ReadStateAsync(UploadSessionGrain.StateName, GrainId.Create("uploadsession", uploadId), record);
        return record;
    }

    [Fact]
    public async Task A_one_request_upload_is_never_recorded_by_its_session_and_its_stored_file_answers_for_it()
    {
        var data = TestBytes.Random(50_000, seed: 61); // one chunk: no commit before the completion
        var sha = TestBytes.Sha256Hex(data);
        var (handle, refused) = await Plane.StartHereAsync(new UploadRequest("one.bin", data.Length, Sha256: sha, BodyFollows: true,
            TusMetadata: "filename b25lLmJpbg=="));
        Assert.Null(refused);
        Assert.Equal(UploadState.Reserved, handle!.Status.State); // the start's own status: no second call
        Assert.False((await RecordOf(handle.UploadId)).RecordExists);
        Assert.False(await handle.Grain.HasEnded()); // live: its client's count keeps its slot

        await using (var writer = await handle.OpenWriterAsync(onCommitted: null))
        {
            await writer.WriteAsync(data, CancellationToken.None);
            Assert.False((await RecordOf(handle.UploadId)).RecordExists);
            Assert.Equal(sha, (await handle.CompleteAsync(writer, CancellationToken.None)).File.Sha256);
        }

        // Answered once the store holds the file and its record; the session writes nothing, then or later.
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(handle.UploadId)));
        Assert.Equal(UploadState.Completed, (await handle.Grain.GetState()).State);
        // Its lease and store space are given back behind the answer (its client's slot before it).
        await Eventually.Holds(() => UploadDriver.Budget(fixture.Client, Node), budget => budget.LeaseCount == 0, TimeSpan.FromSeconds(10), "the lease given back");
        await fixture.Cluster.DeactivateAsync(handle.Grain);
        Assert.False((await RecordOf(handle.UploadId)).RecordExists);

        // A new activation answers from the stored file's record: status, tus metadata, and an open with its resume token only.
        var status = await handle.Grain.GetState();
        Assert.Equal((UploadState.Completed, (long)data.Length, (long)data.Length, handle.UploadId, "one.bin", "filename b25lLmJpbg=="),
            (status.State, status.CommittedOffset, status.Size, status.FileId, status.FileName, status.TusMetadata));
        Assert.Null(status.Failure);
        var opened = await handle.Grain.Open(handle.ResumeToken, requireToken: true);
        Assert.Equal((UploadState.Completed, handle.UploadId), (opened.Status!.State, opened.Status.FileId));
        var wrongToken = await handle.Grain.Open(UploadIds.NewResumeToken(), requireToken: true);
        Assert.Equal(RefusalReason.Unauthorized, wrongToken.Refusal!.Reason);
        Assert.True(await handle.Grain.HasEnded());
        Assert.False((await RecordOf(handle.UploadId)).RecordExists);
    }

    [Fact]
    public async Task A_one_request_upload_whose_stored_file_is_gone_is_unknown()
    {
        var data = TestBytes.Random(50_000, seed: 65);
        var (handle, _) = await Plane.StartHereAsync(new UploadRequest("gone.bin", data.Length, BodyFollows: true));
        await using (var writer = await handle!.OpenWriterAsync(onCommitted: null))
        {
            await writer.WriteAsync(data, CancellationToken.None);
            await handle.CompleteAsync(writer, CancellationToken.None);
        }
        await fixture.Cluster.DeactivateAsync(handle.Grain);

        File.Delete(fixture.StoredPath(handle.UploadId)); // as a deletion or the retention sweep removes it

        var status = await handle.Grain.GetState(); // a new activation: no record of its own, and none in the store
        Assert.Equal(RefusalReason.NotFound, status.Failure!.Reason);
        Assert.True(await handle.Grain.HasEnded());
    }

    [Fact]
    public async Task The_first_writer_of_a_session_started_with_its_bytes_is_granted_by_the_start()
    {
        var data = TestBytes.Random(50_000, seed: 66);
        var (handle, _) = await Plane.StartHereAsync(new UploadRequest("granted.bin", data.Length, BodyFollows: true));
        var granted = Assert.IsType<WritingGrant>(handle!.FirstWriting);

        var asked = await handle.Grain.BeginWriting(Plane.NodeId); // what the session answers a writer of this node now
        Assert.Equal((asked.Epoch, asked.Parts.Length, asked.StoreUploadId, asked.CheckInInterval, asked.Status!.State, asked.Status.CommittedOffset),
            (granted.Epoch, granted.Parts.Length, granted.StoreUploadId, granted.CheckInInterval, granted.Status!.State, granted.Status.CommittedOffset));
        var (other, _) = await Plane.StartHereAsync(new UploadRequest("asks.bin", data.Length)); // no body follows: recorded, asks
        Assert.Null(other!.FirstWriting);
        await other.Grain.Abort();

        await using (var writer = await handle.OpenWriterAsync(onCommitted: null))
        {
            Assert.Null(handle.FirstWriting); // taken once: a later writer asks the session
            await writer.WriteAsync(data, CancellationToken.None);
            Assert.Equal(TestBytes.Sha256Hex(data), (await handle.CompleteAsync(writer, CancellationToken.None)).File.Sha256);
        }
    }

    [Fact]
    public async Task A_status_call_records_a_start_not_written_yet_before_it_answers()
    {
        var (handle, _) = await Plane.StartHereAsync(new UploadRequest("asked.bin", 50_000, BodyFollows: true));
        Assert.False((await RecordOf(handle!.UploadId)).RecordExists);

        var status = await handle.Grain.GetState();

        Assert.Equal((UploadState.Reserved, 0L), (status.State, status.CommittedOffset));
        var record = await RecordOf(handle.UploadId);
        Assert.True(record.RecordExists);
        Assert.Equal((UploadState.Reserved, 50_000L), (record.State!.State, record.State.Size));
        await handle.Grain.Abort();
    }

    [Fact]
    public async Task A_session_deactivated_before_its_first_commit_is_recorded_and_continues()
    {
        var data = TestBytes.Random(50_000, seed: 62);
        var (handle, _) = await Plane.StartHereAsync(new UploadRequest("moved.bin", data.Length, BodyFollows: true));
        var info = new UploadSessionInfo(handle!.UploadId, handle.ResumeToken!, handle.Status.LeaseNodeId!, handle.Status.LeaseNodeName!, data.Length,
            handle.Status.ReservedBytes, handle.Status.ChunkSize, handle.Status.MaxChunksInFlight, "moved.bin");

        await fixture.Cluster.DeactivateAsync(handle.Grain);

        Assert.Equal(UploadState.Reserved, (await RecordOf(handle.UploadId)).State!.State);
        var status = await handle.Grain.GetState();
        Assert.Equal((UploadState.Reserved, 0L), (status.State, status.CommittedOffset));
        await UploadDriver.SendAll(fixture.Cluster, info, data); // on whichever silo it reactivated, with its resume token
        Assert.Equal(TestBytes.Sha256Hex(data), (await UploadDriver.Complete(fixture.Cluster, info)).File!.Sha256);
    }

    [Fact]
    public async Task A_small_file_of_several_chunks_is_committed_once_and_recorded_by_the_store_at_its_completion()
    {
        var data = TestBytes.Random(200_000, seed: 63);
        var (handle, _) = await Plane.StartHereAsync(new UploadRequest("two.bin", data.Length, BodyFollows: true));
        Assert.True(handle!.Status.ChunkSize * 2 < data.Length); // more than its window of chunks

        await using (var writer = await handle.OpenWriterAsync(onCommitted: null))
        {
            await writer.WriteAsync(data, CancellationToken.None);
            Assert.Equal(0, writer.CommittedOffset); // no commit before the completion
            Assert.False((await RecordOf(handle.UploadId)).RecordExists);
            Assert.Equal(TestBytes.Sha256Hex(data), (await handle.CompleteAsync(writer, CancellationToken.None)).File.Sha256);
        }
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(handle.UploadId)));
        await fixture.Cluster.DeactivateAsync(handle.Grain);
        Assert.False((await RecordOf(handle.UploadId)).RecordExists);
        Assert.Equal((UploadState.Completed, (long)data.Length), ((await handle.Grain.GetState()).State, (await handle.Grain.GetState()).CommittedOffset));
    }

    [Fact]
    public async Task A_small_file_whose_request_ends_early_has_what_arrived_committed_and_recorded_before_the_answer()
    {
        var data = TestBytes.Random(200_000, seed: 64);
        var (handle, _) = await Plane.StartHereAsync(new UploadRequest("short.bin", data.Length, BodyFollows: true));

        await using (var writer = await handle!.OpenWriterAsync(onCommitted: null))
        {
            await writer.WriteAsync(data.AsMemory(0, 150_000), CancellationToken.None);
            Assert.Equal(150_000, await writer.CompleteAsync()); // the request ended: what arrived, committed as one
        }

        var record = await RecordOf(handle.UploadId);
        Assert.Equal((UploadState.Receiving, 150_000L), (record.State!.State, record.State.CommittedOffset));
        await handle.Grain.Abort();
    }
}
