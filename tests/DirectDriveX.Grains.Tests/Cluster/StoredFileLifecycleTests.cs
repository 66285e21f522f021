using System.Security.Cryptography;
using System.Text;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>Files have a lifecycle (issue 18): a keyless uploader is given a delete token once; a deleted file's bytes and
/// record are gone and its grain answers none; a file past Files:Retention is gone when asked for, and the retention sweep
/// removes those nobody asks for.</summary>
[Collection(ResumeWindowCluster.Name)]
public class StoredFileLifecycleTests(ResumeWindowClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;

    private async Task<(IUploadSessionGrain Grain, CompletionResult Result)> StoreAsync(int seed, UploadClient? client = null)
    {
        var data = TestBytes.Random(100_000, seed);
        var (grain, info) = await UploadDriver.StartOn(Grains, fixture.Silo("Silo_1"), new UploadRequest("life.bin", data.Length, Client: client));
        await UploadDriver.SendAll(fixture.Cluster, info, data);
        var result = await UploadDriver.Complete(fixture.Cluster, info);
        Assert.True(result.Completed, result.Refusal?.Message);
        return (grain, result);
    }

    [Fact]
    public async Task A_keyless_clients_upload_is_given_a_delete_token_once_and_its_record_keeps_only_its_hash()
    {
        var keyless = new UploadClient($"addr:life-{Guid.NewGuid():N}", new ClientLimits(5));
        var (grain, result) = await StoreAsync(40, keyless);
        var token = result.DeleteToken!;
        Assert.Equal((keyless.ClientId, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))),
            (result.File!.UploadedBy, result.File.DeleteTokenSha256));
        var json = await File.ReadAllTextAsync(fixture.StoredPath(result.File.FileId) + ".json");
        Assert.Contains(result.File.DeleteTokenSha256!, json);
        Assert.DoesNotContain(token, json);
        Assert.Null((await grain.Complete(1, result.File.Sha256)).DeleteToken); // once: a completion asked again gives none

        var (_, keyed) = await StoreAsync(41, new UploadClient("key:life", new ClientLimits(5)));
        Assert.Equal(("key:life", (string?)null, (string?)null), (keyed.File!.UploadedBy, keyed.File.DeleteTokenSha256, keyed.DeleteToken));
    }

    [Fact]
    public async Task Deleting_a_stored_file_removes_its_bytes_and_record_and_its_grain_answers_none()
    {
        var (_, result) = await StoreAsync(42);
        var fileId = result.File!.FileId;
        var file = Grains.GetGrain<IStoredFileGrain>(fileId);

        Assert.True(await file.Delete());

        Assert.False(File.Exists(fixture.StoredPath(fileId)));
        Assert.False(File.Exists(fixture.StoredPath(fileId) + ".json"));
        Assert.Null(await file.GetRecord());
        await fixture.Cluster.DeactivateAsync(file);     // nothing cached brings it back, and the store has no record
        Assert.Null(await file.GetRecord());
        Assert.False(await file.Delete());
    }

    [Fact]
    public async Task A_file_past_its_retention_is_gone_when_asked_for_and_the_sweep_removes_those_nobody_asks_for()
    {
        var (_, asked) = await StoreAsync(43);
        var (_, forgotten) = await StoreAsync(44);
        var file = Grains.GetGrain<IStoredFileGrain>(asked.File!.FileId);
        Assert.Equal(asked.File, await file.GetRecord());

        fixture.Clock.Advance(ResumeWindowClusterFixture.Retention);

        Assert.Null(await file.GetRecord());
        Assert.False(File.Exists(fixture.StoredPath(asked.File.FileId)));
        Assert.True(File.Exists(fixture.StoredPath(forgotten.File!.FileId)));
        var sweep = fixture.Cluster.GetSiloServiceProvider(fixture.Silo("Silo_0")).GetRequiredService<RetentionSweep>();
        Assert.Contains(forgotten.File.FileId, await sweep.SweepOnceAsync(CancellationToken.None));
        Assert.False(File.Exists(fixture.StoredPath(forgotten.File.FileId)));
        Assert.False(File.Exists(fixture.StoredPath(forgotten.File.FileId) + ".json"));
        Assert.Null(await Grains.GetGrain<IStoredFileGrain>(forgotten.File.FileId).GetRecord());
    }
}
