using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Tests.Cluster;

namespace DirectDriveX.Grains.Tests.DataPlane;

/// <summary>One writer per upload: a new connection takes over from one still open (a client reconnecting while its old,
/// half-open connection has not noticed), and the old one is refused at its next write instead of interleaving bytes.</summary>
[Collection(BudgetCluster.Name)]
public class OneWriterTests(BudgetClusterFixture fixture)
{
    [Fact]
    public async Task A_new_connection_takes_over_and_the_old_one_is_refused_at_its_next_write()
    {
        var data = TestBytes.Random(600_000, seed: 21);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("a.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        Assert.Equal(65_536, info.ChunkSize);

        var first = await UploadDriver.Open(fixture.Cluster, info);
        await using var old = await first.OpenWriterAsync(onCommitted: null);
        await old.WriteAsync(data.AsMemory(0, 200_000), CancellationToken.None); // three whole chunks committed, the rest pending

        var second = await UploadDriver.Open(fixture.Cluster, info);
        await using var current = await second.OpenWriterAsync(onCommitted: null);
        Assert.Equal(196_608, current.CommittedOffset); // the old writer's queued commits landed first

        var refused = await Assert.ThrowsAsync<UploadRefusedException>(async () =>
            await old.WriteAsync(data.AsMemory(200_000, 100_000), CancellationToken.None));
        Assert.Equal(new UploadRefusal(RefusalReason.InvalidState, "Another connection has taken over this upload; this one ends."), refused.Refusal);

        await current.WriteAsync(data.AsMemory(196_608), CancellationToken.None);
        var file = (await second.CompleteAsync(current, CancellationToken.None)).File;
        Assert.Equal(TestBytes.Sha256Hex(data), file.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.Equal(UploadState.Completed, (await grain.GetState()).State);
    }

    [Fact]
    public async Task A_writer_that_resumes_between_two_chunk_boundaries_commits_on_the_next_one()
    {
        // An object store's parts are whole chunks: a resumed writer whose chunks ran from the committed offset would make
        // every commit a part plus a staged piece, sending each part's bytes twice.
        var data = TestBytes.Random(300_000, seed: 23);
        var (_, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("resumed.bin", data.Length));
        var first = await UploadDriver.Open(fixture.Cluster, info);
        await using (var writer = await first.OpenWriterAsync(onCommitted: null))
        {
            await writer.WriteAsync(data.AsMemory(0, 70_000), CancellationToken.None);
            Assert.Equal(70_000, await writer.CompleteAsync()); // one chunk and a piece: committed at 70,000
        }
        var second = await UploadDriver.Open(fixture.Cluster, info);
        await using var resumed = await second.OpenWriterAsync(onCommitted: null);
        await resumed.WriteAsync(data.AsMemory(70_000, 131_072 - 70_000), CancellationToken.None); // to the next boundary
        await Eventually.Holds(() => Task.FromResult(resumed.CommittedOffset), committed => committed == 131_072, TimeSpan.FromSeconds(10), "the first commit ends on the chunk boundary");
        await resumed.WriteAsync(data.AsMemory(131_072, 65_535), CancellationToken.None); // one byte short of the next
        Assert.Equal(131_072, resumed.CommittedOffset);
        await resumed.WriteAsync(data.AsMemory(196_607), CancellationToken.None);
        Assert.Equal(TestBytes.Sha256Hex(data), (await second.CompleteAsync(resumed, CancellationToken.None)).File.Sha256);
    }

    [Fact]
    public async Task A_connection_to_a_session_active_on_another_node_is_told_to_reconnect()
    {
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("a.bin", 1_000));
        var elsewhere = fixture.Cluster.GetSiloServiceProvider(fixture.Silo("Silo_0"));
        var plane = (UploadDataPlane)elsewhere.GetService(typeof(UploadDataPlane))!;

        var (handle, refusal) = await plane.OpenAsync(info.UploadId, info.ResumeToken, requireToken: true);

        Assert.Null(handle);
        Assert.Equal(new UploadRefusal(RefusalReason.NodeUnavailable, $"Upload {info.UploadId} is served by another node now; reconnect through the gateway."), refusal);
        await grain.Abort();
    }

    [Fact]
    public async Task Bytes_that_arrived_as_the_client_went_away_are_written_before_they_are_committed()
    {
        // The request's token is cancelled when the client drops; bytes already received must still reach the file before
        // the drop path commits them (a cancelled write once let the commit cover bytes that were never written).
        var data = TestBytes.Random(300_000, seed: 22);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("dropped.bin", data.Length));
        await using var writer = await (await UploadDriver.Open(fixture.Cluster, info)).OpenWriterAsync(onCommitted: null);
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        var memory = await writer.GetMemoryAsync(CancellationToken.None);
        data.AsMemory(0, memory.Length).CopyTo(memory);
        await writer.AdvanceAsync(memory.Length, gone.Token);
        var committed = await writer.CompleteAsync();

        Assert.Equal(memory.Length, committed);
        var staged = await File.ReadAllBytesAsync(fixture.StagingPath(info.UploadId));
        Assert.Equal(data.AsMemory(0, (int)committed).ToArray(), staged.AsMemory(0, (int)committed).ToArray());
        await grain.Abort();
    }
}
