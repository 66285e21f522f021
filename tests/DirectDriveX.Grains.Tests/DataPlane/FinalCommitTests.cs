using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Tests.Cluster;
using static DirectDriveX.Grains.Tests.Cluster.ClusterFixture;

namespace DirectDriveX.Grains.Tests.DataPlane;

/// <summary>An upload whose rest arrives in one request, with nothing acknowledged per commit, has its last range recorded by
/// its completion (one grain call and one state write fewer, issue 19); a writer that only commits still commits it, and a
/// completion the session refuses leaves the commit either recorded or refused as a commit is.</summary>
[Collection(BudgetCluster.Name)]
public class FinalCommitTests(BudgetClusterFixture fixture)
{
    private SiloAddress Node => fixture.Silo("Silo_1");

    [Fact]
    public async Task The_last_range_of_a_one_request_upload_is_recorded_by_its_completion_and_the_file_is_whole()
    {
        var data = TestBytes.Random(700_000, seed: 41);
        var sha = TestBytes.Sha256Hex(data);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, Node, new UploadRequest("one.bin", data.Length, Sha256: sha));
        var handle = await UploadDriver.Open(fixture.Cluster, info);
        await using var writer = await handle.OpenWriterAsync(onCommitted: null);
        await writer.WriteAsync(data, CancellationToken.None);
        Assert.True(writer.CommittedOffset < data.Length); // the chunks before the last are committed; the last waits for completion
        Assert.True((await grain.GetState()).CommittedOffset < data.Length);

        var stored = await handle.CompleteAsync(writer, CancellationToken.None);

        Assert.Equal((sha, (long)data.Length), (stored.File.Sha256, stored.File.Size));
        Assert.Equal(data, await File.ReadAllBytesAsync(fixture.StoredPath(info.UploadId)));
        Assert.Equal(data.Length, writer.CommittedOffset);
        var status = await grain.GetState();
        Assert.Equal((UploadState.Completed, (long)data.Length), (status.State, status.CommittedOffset));
        Assert.Equal(0, (await UploadDriver.Budget(fixture.Client, Node)).LeaseCount);
    }

    [Fact]
    public async Task A_writer_that_completes_without_storing_commits_its_last_range_as_before()
    {
        var data = TestBytes.Random(300_000, seed: 42);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, Node, new UploadRequest("later.bin", data.Length));
        await UploadDriver.SendAll(fixture.Cluster, info, data); // CompleteAsync: every byte committed
        Assert.Equal((UploadState.Receiving, (long)data.Length), ((await grain.GetState()).State, (await grain.GetState()).CommittedOffset));
        Assert.True((await UploadDriver.Complete(fixture.Cluster, info)).Completed);
    }

    [Fact]
    public async Task A_folded_completion_whose_hash_differs_fails_the_upload_and_one_of_another_epoch_records_nothing()
    {
        var data = TestBytes.Random(200_000, seed: 43);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, Node, new UploadRequest("bad.bin", data.Length, Sha256: new string('0', 64)));
        var handle = await UploadDriver.Open(fixture.Cluster, info);
        await using (var writer = await handle.OpenWriterAsync(onCommitted: null))
        {
            await writer.WriteAsync(data, CancellationToken.None);
            var refused = await Assert.ThrowsAsync<UploadRefusedException>(() => handle.CompleteAsync(writer, CancellationToken.None));
            Assert.Equal(RefusalReason.HashMismatch, refused.Refusal.Reason);
        }
        Assert.Equal(UploadState.Failed, (await grain.GetState()).State);

        var (other, otherInfo) = await UploadDriver.StartOn(fixture.Client, Node, new UploadRequest("epoch.bin", data.Length));
        var stale = await other.CommitAndComplete(epoch: 99, 0, data.Length, MemoryBudgetKey.For(Node),
            new StagedCommit([new StagedPart(0, data.Length, "1@0")]), TestBytes.Sha256Hex(data));
        Assert.Equal(RefusalReason.NodeUnavailable, stale.Refusal!.Reason); // superseded: a reconnect reaches the session
        Assert.Equal((UploadState.Reserved, 0L), ((await other.GetState()).State, (await other.GetState()).CommittedOffset));
        await other.Abort();
    }
}
