using DirectDriveX.Storage;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>The file store is the truth about files: a record lives beside its bytes, and staged bytes no session will finish are swept.</summary>
[Collection(BudgetCluster.Name)]
public class StoreRecoveryTests(BudgetClusterFixture fixture)
{
    [Fact]
    public async Task A_completed_file_keeps_its_record_beside_its_bytes()
    {
        var data = TestBytes.Random(70_000, seed: 30);
        var (_, info) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("kept.txt", data.Length, "text/plain"));
        await UploadDriver.SendAll(fixture.Cluster, info, data);
        var record = (await UploadDriver.Complete(fixture.Cluster, info)).File!;

        var store = Store();
        Assert.Equal(record, await store.ReadRecordAsync(info.UploadId));
        Assert.True(File.Exists(fixture.StoredPath(info.UploadId) + ".json"));
        Assert.Null(await store.ReadRecordAsync(UploadIds.NewId()));
    }

    [Fact]
    public async Task A_file_grain_with_no_state_reads_its_record_from_the_store()
    {
        var fileId = UploadIds.NewId();
        var staging = fixture.StagingPath(fileId, epoch: 0);
        await File.WriteAllBytesAsync(staging, [1, 2, 3]);
        var record = new StoredFileRecord(fileId, "orphaned-state.bin", 3, new string('a', 64), "application/octet-stream", DateTimeOffset.UnixEpoch, "Silo_0");
        await Store().PublishAsync(new StagingTarget(fileId, 1, 3, 65_536, 3, [new StagedPart(0, 3, "0@0")], null), record, CancellationToken.None); // the store has it; no grain was ever told (as after Redis lost its data)

        Assert.Equal(record, await fixture.Client.GetGrain<IStoredFileGrain>(fileId).GetRecord());
    }

    [Fact]
    public async Task Staged_bytes_of_sessions_that_do_not_exist_or_ended_are_swept_and_live_ones_kept()
    {
        var orphan = UploadIds.NewId();
        await File.WriteAllBytesAsync(fixture.StagingPath(orphan, epoch: 0), new byte[100]);
        var (live, liveInfo) = await UploadDriver.StartOn(fixture.Client, fixture.Silo("Silo_1"), new UploadRequest("live.bin", 200_000));
        await UploadDriver.SendAll(fixture.Cluster, liveInfo, new byte[65_536]);
        var longAgo = DateTime.UtcNow.AddDays(-1);
        File.SetLastWriteTimeUtc(fixture.StagingPath(orphan, epoch: 0), longAgo);
        File.SetLastWriteTimeUtc(fixture.StagingPath(liveInfo.UploadId), longAgo);

        var removed = await fixture.Cluster.GetSiloServiceProvider(fixture.Silo("Silo_0")).GetRequiredService<StagingSweep>().SweepOnceAsync(CancellationToken.None);

        Assert.Contains(orphan, removed);
        Assert.DoesNotContain(liveInfo.UploadId, removed);
        Assert.Empty(fixture.StagedFiles(orphan));
        Assert.True(File.Exists(fixture.StagingPath(liveInfo.UploadId)));
        await live.Abort();
    }

    private IUploadStore Store() => fixture.Cluster.GetSiloServiceProvider(fixture.Silo("Silo_0")).GetRequiredService<IUploadStore>();
}
