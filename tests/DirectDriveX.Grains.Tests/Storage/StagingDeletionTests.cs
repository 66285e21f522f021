using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;
using DirectDriveX.Storage.FileSystem;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>What the file system store deletes of an upload's staging once its session has ended: every epoch's file and
/// joined file, but nothing for an upload of one writer that was published (its one file is the stored file now).</summary>
public sealed class StagingDeletionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-staging-deletion-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private FileSystemUploadStore Store() =>
        new(Options.Create(new FileStoreOptions { RootDirectory = _root, FlushToDisk = true }));

    private string[] Staged(string uploadId) => Directory.GetFiles(Path.Combine(_root, "staging"), uploadId + ".*");

    private async Task<StagedCommit> StageAsync(FileSystemUploadStore store, string uploadId, int epoch, long from, byte[] data, long size)
    {
        var target = new StagingTarget(uploadId, epoch, size, (int)size, from, [], null);
        await using var file = await store.OpenStagingAsync(target, CancellationToken.None);
        await file.WriteAsync(from, data, CancellationToken.None);
        return await file.CommitAsync(from, from + data.Length, CancellationToken.None);
    }

    [Fact]
    public async Task A_published_upload_of_one_writer_leaves_nothing_staged()
    {
        var store = Store();
        var uploadId = UploadIds.NewId();
        var data = TestBytes.Random(4096, seed: 3);
        var staged = await StageAsync(store, uploadId, 1, 0, data, data.Length);
        var target = new StagingTarget(uploadId, 1, data.Length, data.Length, data.Length, staged.Parts, null);
        await store.PublishAsync(target, new StoredFileRecord(uploadId, "one.bin", data.Length, TestBytes.Sha256Hex(data),
            "application/octet-stream", DateTimeOffset.UtcNow, "node-1"), CancellationToken.None);

        await store.DeleteStagingAsync(new StagingRemains(uploadId, 1, staged.Parts, null, OneWriter: true), published: true, CancellationToken.None);

        Assert.Empty(Staged(uploadId));
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_root, "files", uploadId)));
    }

    /// <summary>An upload of 2 KiB whose first writer (epoch 1) committed its first half and whose second (epoch 2) the rest.</summary>
    private async Task<(string UploadId, StagedPart[] Parts)> StageTwoWritersAsync(FileSystemUploadStore store)
    {
        var uploadId = UploadIds.NewId();
        var first = await StageAsync(store, uploadId, 1, 0, TestBytes.Random(1024, seed: 4), 2048);
        var second = await StageAsync(store, uploadId, 2, 1024, TestBytes.Random(1024, seed: 5), 2048);
        Assert.Equal(2, Staged(uploadId).Length);
        return (uploadId, [.. first.Parts, .. second.Parts]);
    }

    [Fact]
    public async Task An_upload_of_several_writers_has_every_epochs_file_deleted()
    {
        var store = Store();
        var (uploadId, parts) = await StageTwoWritersAsync(store);

        await store.DeleteStagingAsync(new StagingRemains(uploadId, 2, parts, null), published: false, CancellationToken.None);

        Assert.Empty(Staged(uploadId));
    }

    [Fact]
    public async Task An_upload_said_to_be_of_one_writer_whose_parts_are_not_one_file_has_its_files_deleted()
    {
        var store = Store();
        var (uploadId, parts) = await StageTwoWritersAsync(store);

        await store.DeleteStagingAsync(new StagingRemains(uploadId, 2, parts, null, OneWriter: true), published: true, CancellationToken.None);

        Assert.Empty(Staged(uploadId));
    }
}
