using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Tests.Cluster;

namespace DirectDriveX.Grains.Tests.DataPlane;

/// <summary>
/// Issue 21: once a session has moved (a graceful stop of its silo deactivates it, and the next call activates it elsewhere)
/// or been reactivated, no writer of an earlier activation can write, truncate or commit for it: each activation that writes
/// takes a new fencing epoch, its bytes go to a staging file of that epoch's own, and the session takes commits and the
/// completion of its epoch only. The stored bytes and SHA-256 are those the current epochs committed, whatever a stale
/// writer sends afterwards (here: different bytes, the worst a stale writer could do).
/// </summary>
[Collection(BudgetCluster.Name)]
public class FencingTests(BudgetClusterFixture fixture)
{
    private const int Chunk = 65_536;

    [Theory]
    [InlineData("Silo_0", true)]  // moved to another node, a SHA-256 declared
    [InlineData("Silo_0", false)] // moved, no SHA-256 declared: nothing would catch wrong bytes but the data plane
    [InlineData("Silo_1", false)] // reactivated on the same node: the node's name alone cannot tell the writers apart
    public async Task A_writer_of_an_earlier_activation_cannot_change_what_a_later_one_committed(string movedTo, bool declareSha256)
    {
        var data = TestBytes.Random(600_000, seed: 210);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"),
            new UploadRequest("moved.bin", data.Length, null, declareSha256 ? TestBytes.Sha256Hex(data) : null));
        Assert.Equal(Chunk, info.ChunkSize);
        var first = await UploadDriver.Open(fixture.Cluster, info);
        var stale = await first.OpenWriterAsync(onCommitted: null);
        await stale.WriteAsync(data.AsMemory(0, 3 * Chunk + 1_000), CancellationToken.None); // three chunks committed, a partial one held
        await Eventually.Holds(() => Task.FromResult(stale.CommittedOffset), c => c == 3 * Chunk, TimeSpan.FromSeconds(10), "three chunks committed");

        await UploadDriver.MoveTo(fixture.Cluster, info, fixture.Silo(movedTo));
        var moved = await UploadDriver.Open(fixture.Cluster, info);
        await using var current = await moved.OpenWriterAsync(onCommitted: null);
        Assert.Equal(3 * Chunk, current.CommittedOffset);
        await current.WriteAsync(data.AsMemory(3 * Chunk, 2 * Chunk), CancellationToken.None);
        await Eventually.Holds(() => Task.FromResult(current.CommittedOffset), c => c == 5 * Chunk, TimeSpan.FromSeconds(10), "five chunks committed");

        // The earlier activation's writer goes on with other bytes at the offsets the current one committed, and past them.
        var other = data.ToArray();
        for (var i = 3 * Chunk; i < other.Length; i++) other[i] ^= 0x5A;
        var refusal = await StaleWriterRefusalAsync(stale, other.AsMemory(3 * Chunk + 1_000, 3 * Chunk));
        Assert.Equal(movedTo == "Silo_1"
            ? new UploadRefusal(RefusalReason.InvalidState, "Another connection has taken over this upload; this one ends.") // fenced in the node
            : new UploadRefusal(RefusalReason.NodeUnavailable, $"Upload {info.UploadId} is now served by node Silo_0; reconnect to continue from {5 * Chunk}."),
            refusal);
        Assert.Equal(5 * Chunk, (await grain.GetState()).CommittedOffset);

        await current.WriteAsync(data.AsMemory(5 * Chunk), CancellationToken.None);
        var file = (await moved.CompleteAsync(current, CancellationToken.None)).File;
        await stale.DisposeAsync();

        Assert.Equal(TestBytes.Sha256Hex(data), file.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.Empty(fixture.StagedFiles(info.UploadId));
    }

    [Fact]
    public async Task A_commit_that_reaches_a_new_activation_on_the_same_node_is_refused_and_cuts_nothing()
    {
        // What scripts/chaos-rolling found on the previous design: a SIGTERM of another silo (the one keeping the session's
        // directory entry) deactivated the session while its writer was mid-chunk; the writer's commit activated it again on
        // the same node, which cut the staging file to the committed offset and then accepted the commit, node and offset
        // being right: a chunk of zeros, acknowledged and stored.
        var data = TestBytes.Random(400_000, seed: 213);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("same-node.bin", data.Length));
        var handle = await UploadDriver.Open(fixture.Cluster, info);
        var writer = await handle.OpenWriterAsync(onCommitted: null);
        await writer.WriteAsync(data.AsMemory(0, 2 * Chunk + 1_000), CancellationToken.None);
        await Eventually.Holds(() => Task.FromResult(writer.CommittedOffset), c => c == 2 * Chunk, TimeSpan.FromSeconds(10), "two chunks committed");

        await UploadDriver.MoveTo(fixture.Cluster, info, fixture.Silo("Silo_1")); // deactivated and activated again, same node
        var refusal = await StaleWriterRefusalAsync(writer, data.AsMemory(2 * Chunk + 1_000, Chunk)); // its next commit
        await writer.DisposeAsync();

        Assert.Equal(new UploadRefusal(RefusalReason.NodeUnavailable,
            $"Upload {info.UploadId} has been taken over by a newer writer; reconnect to continue from {2 * Chunk}."), refusal);
        Assert.Equal(data.AsSpan(0, 2 * Chunk).ToArray(), (await File.ReadAllBytesAsync(fixture.StagingPath(info.UploadId, epoch: 1)))[..(2 * Chunk)]);
        await UploadDriver.SendAll(fixture.Cluster, info, data, from: 2 * Chunk);
        Assert.Equal(TestBytes.Sha256Hex(data), (await UploadDriver.Complete(fixture.Cluster, info)).File!.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.Equal(UploadState.Completed, (await grain.GetState()).State);
    }

    [Fact]
    public async Task The_session_refuses_commits_and_completion_of_any_epoch_but_its_activations()
    {
        var data = TestBytes.Random(200_000, seed: 211);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("epochs.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data);
        await UploadDriver.MoveTo(fixture.Cluster, info, fixture.Silo("Silo_1")); // same node, new activation

        var node = info.NodeId;
        var grant = await grain.BeginWriting(node);
        Assert.Equal(2, grant.Epoch);
        Assert.Equal([new StagedPart(0, data.Length, "1@0")], grant.Parts);
        var superseded = new UploadRefusal(RefusalReason.NodeUnavailable,
            $"Upload {info.UploadId} has been taken over by a newer writer; reconnect to continue from {data.Length}.");
        Assert.Equal(superseded, (await grain.Complete(1, TestBytes.Sha256Hex(data))).Refusal);
        Assert.Equal(ChunkAck.Refused(data.Length, superseded), await grain.Commit(1, data.Length, 1, node, StagedParts.InFile(1, data.Length, 1)));
        Assert.Equal(2, (await grain.BeginWriting(node)).Epoch); // one epoch per activation: no state write per connection

        var done = await UploadDriver.Complete(fixture.Cluster, info);
        Assert.True(done.Completed, done.Refusal?.Message);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
    }

    [Fact]
    public async Task Bytes_committed_before_a_move_are_read_back_from_their_own_epoch()
    {
        // The legacy client sends from byte 0 on every connection: after a move, bytes below the committed offset are compared
        // with the staged ones, which now lie in the earlier epoch's file.
        var data = TestBytes.Random(300_000, seed: 212);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("replay.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..(2 * Chunk)]);
        await UploadDriver.MoveTo(fixture.Cluster, info, fixture.Silo("Silo_0"));
        await UploadDriver.SendAll(fixture.Cluster, info, data[..(4 * Chunk)], from: 2 * Chunk);

        var handle = await UploadDriver.Open(fixture.Cluster, info);
        await using var again = await handle.OpenWriterAsync(onCommitted: null, streamOffset: 0);
        await again.WriteAsync(data, CancellationToken.None);
        var file = (await handle.CompleteAsync(again, CancellationToken.None)).File;

        Assert.Equal(TestBytes.Sha256Hex(data), file.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.Equal(UploadState.Completed, (await grain.GetState()).State);
    }

    /// <summary>Writes through a writer of an earlier activation until it is refused; the refusal.</summary>
    private static async Task<UploadRefusal> StaleWriterRefusalAsync(StagingWriter stale, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await stale.WriteAsync(bytes, CancellationToken.None);
            await stale.CompleteAsync();
        }
        catch (UploadRefusedException e)
        {
            return e.Refusal;
        }
        throw new Xunit.Sdk.XunitException("The stale writer was never refused.");
    }
}
