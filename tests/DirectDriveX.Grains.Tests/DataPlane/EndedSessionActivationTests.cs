using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Tests.Cluster;
using DirectDriveX.Node.DataPlane;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.Grains.Tests.DataPlane;

/// <summary>An ended session is its record: its activation goes once its way out has answered, not after Orleans' collection
/// age (a node storing hundreds of small files a second held every one's session in memory for minutes), and a later call
/// reads the record.</summary>
[Collection(BudgetCluster.Name)]
public class EndedSessionActivationTests(BudgetClusterFixture fixture)
{
    private SiloAddress Node => fixture.Silo("Silo_1");

    private async Task<bool> IsActivated(string uploadId)
    {
        var active = await fixture.Client.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create(GrainTypeNames.UploadSession));
        return active.Contains(GrainId.Create(GrainTypeNames.UploadSession, uploadId));
    }

    private Task WaitGone(string uploadId) =>
        Eventually.Holds(() => IsActivated(uploadId), activated => !activated, TimeSpan.FromSeconds(10), $"session {uploadId} deactivated");

    [Fact]
    public async Task A_one_request_upload_leaves_no_activation_and_answers_from_its_record_afterwards()
    {
        var data = TestBytes.Random(30_000, seed: 81);
        var plane = fixture.Cluster.GetSiloServiceProvider(Node).GetRequiredService<UploadDataPlane>();
        var (handle, refused) = await plane.StartHereAsync(new UploadRequest("small.bin", data.Length, BodyFollows: true));
        Assert.Null(refused);
        Assert.True(await IsActivated(handle!.UploadId));
        await using (var writer = await handle.OpenWriterAsync(onCommitted: null))
        {
            await writer.WriteAsync(data, CancellationToken.None);
            await handle.CompleteAsync(writer, CancellationToken.None);
        }

        await WaitGone(handle.UploadId);
        var status = await handle.Grain.GetState(); // a new activation, from the record written behind the answer
        Assert.Equal((UploadState.Completed, (long)data.Length, handle.UploadId), (status.State, status.CommittedOffset, status.FileId));
        await WaitGone(handle.UploadId); // and it goes too once it has answered: an ended session stays its record
        var opened = await handle.Grain.Open(handle.ResumeToken, requireToken: true);
        Assert.Equal(UploadState.Completed, opened.Status!.State);
        await WaitGone(handle.UploadId);
    }

    [Fact]
    public async Task A_chunked_upload_and_an_aborted_one_leave_no_activation()
    {
        var data = TestBytes.Random(200_000, seed: 82);
        var (grain, info) = await UploadDriver.StartOn(fixture.Client, Node, new UploadRequest("chunked.bin", data.Length, null, TestBytes.Sha256Hex(data)));
        await UploadDriver.SendAll(fixture.Cluster, info, data);
        Assert.NotNull((await UploadDriver.Complete(fixture.Cluster, info)).File);
        var (aborted, _) = await UploadDriver.StartOn(fixture.Client, Node, new UploadRequest("aborted.bin", 1000, null, null));
        await aborted.Abort();

        await WaitGone(info.UploadId);
        await WaitGone(aborted.GetPrimaryKeyString());
        Assert.Equal(UploadState.Completed, (await grain.GetState()).State);
        Assert.Equal(UploadState.Aborted, (await aborted.GetState()).State);
    }
}
