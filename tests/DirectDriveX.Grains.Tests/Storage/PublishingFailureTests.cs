using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;
using DirectDriveX.Storage.FileSystem;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>The file system store's publishing when its record cannot be written: it fails having renamed nothing (the bytes
/// still staged, no record, nothing readable as stored), and publishing again once it can stores the file.</summary>
public sealed class PublishingFailureTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-publishing-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_record_that_cannot_be_written_publishes_nothing_and_a_second_publishing_stores_the_file()
    {
        var store = new FileSystemUploadStore(Options.Create(new FileStoreOptions { RootDirectory = _root, FlushToDisk = true }));
        var uploadId = UploadIds.NewId();
        var data = TestBytes.Random(4096, seed: 9);
        var target = new StagingTarget(uploadId, 1, data.Length, data.Length, 0, [], null);
        StagedCommit staged;
        await using (var file = await store.OpenStagingAsync(target, CancellationToken.None))
        {
            await file.WriteAsync(0, data, CancellationToken.None);
            staged = await file.CommitForPublishingAsync(0, data.Length, CancellationToken.None);
        }
        var published = target with { Committed = data.Length, Parts = staged.Parts };
        var record = new StoredFileRecord(uploadId, "small.bin", data.Length, TestBytes.Sha256Hex(data), "application/octet-stream",
            DateTimeOffset.UtcNow, "node-1");
        var inTheWay = Directory.CreateDirectory(Path.Combine(_root, "files", uploadId + ".json.tmp")); // the record's temporary file cannot be created

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.PublishAsync(published, record, CancellationToken.None));

        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_root, "staging", uploadId + ".1.part")));
        Assert.False(File.Exists(Path.Combine(_root, "files", uploadId)));
        Assert.False(File.Exists(Path.Combine(_root, "files", uploadId + ".json")));
        Assert.Null(await store.ReadRecordAsync(uploadId));

        inTheWay.Delete();
        await store.PublishAsync(published, record, CancellationToken.None);
        Assert.Equal(record, await store.ReadRecordAsync(uploadId));
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_root, "files", uploadId)));
        Assert.False(File.Exists(Path.Combine(_root, "staging", uploadId + ".1.part")));
    }
}
