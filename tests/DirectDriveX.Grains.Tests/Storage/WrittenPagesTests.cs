using DirectDriveX.Storage.FileSystem;
using DirectDriveX.Storage;
using System.Diagnostics;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>After a chunk's fsync its pages leave the page cache unless FileStore:CacheWrittenPages says to keep them,
/// as util-linux's <c>fincore</c> (mincore(2)) sees it; a last range left to the publishing stays until the publishing
/// fsyncs it.</summary>
public sealed class WrittenPagesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-pages-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(false, 0L)]
    [InlineData(true, 8L * 1024 * 1024)]
    public async Task A_flushed_chunk_is_dropped_from_the_page_cache_unless_asked_to_stay(bool cacheWrittenPages, long expectedResident)
    {
        var store = new FileSystemUploadStore(Options.Create(new FileStoreOptions
        {
            RootDirectory = _root, FlushToDisk = true, CacheWrittenPages = cacheWrittenPages,
        }));
        var uploadId = UploadIds.NewId();
        await using (var file = await store.OpenStagingAsync(new StagingTarget(uploadId, 1, 8 * 1024 * 1024, 8 * 1024 * 1024, 0, [], null), CancellationToken.None))
        {
            var data = TestBytes.Random(8 * 1024 * 1024, seed: 5);
            for (var offset = 0; offset < data.Length; offset += 256 * 1024)
                await file.WriteAsync(offset, data.AsMemory(offset, 256 * 1024), CancellationToken.None);
            Assert.Equal(new StagedPart(0, data.Length, "1@0"), Assert.Single((await file.CommitAsync(0, data.Length, CancellationToken.None)).Parts));
        }
        var path = Path.Combine(_root, "staging", uploadId + ".1.part");
        Assert.Equal(expectedResident, await ResidentBytesAsync(path));
        Assert.Equal(8L * 1024 * 1024, new FileInfo(path).Length); // the bytes are on disk either way
    }

    [Fact]
    public async Task A_last_range_left_to_the_publishing_is_flushed_and_dropped_by_it()
    {
        var store = new FileSystemUploadStore(Options.Create(new FileStoreOptions
        {
            RootDirectory = _root, FlushToDisk = true, CacheWrittenPages = false,
        }));
        var uploadId = UploadIds.NewId();
        var data = TestBytes.Random(8 * 1024 * 1024, seed: 6);
        var target = new StagingTarget(uploadId, 1, data.Length, data.Length, 0, [], null);
        StagedCommit staged;
        await using (var file = await store.OpenStagingAsync(target, CancellationToken.None))
        {
            await file.WriteAsync(0, data, CancellationToken.None);
            staged = await file.CommitForPublishingAsync(0, data.Length, CancellationToken.None);
        }
        Assert.Equal(new StagedPart(0, data.Length, "1@0"), Assert.Single(staged.Parts));
        Assert.Equal(data.Length, await ResidentBytesAsync(Path.Combine(_root, "staging", uploadId + ".1.part"))); // not flushed yet

        var record = new StoredFileRecord(uploadId, "left.bin", data.Length, TestBytes.Sha256Hex(data), "application/octet-stream",
            DateTimeOffset.UtcNow, "node-1");
        await store.PublishAsync(target with { Committed = data.Length, Parts = staged.Parts }, record, CancellationToken.None);

        var stored = Path.Combine(_root, "files", uploadId);
        Assert.Equal(0L, await ResidentBytesAsync(stored)); // fsynced by the publishing, then dropped as a commit's pages are
        Assert.Equal(data, await File.ReadAllBytesAsync(stored));
        Assert.Equal(record, await store.ReadRecordAsync(uploadId));
    }

    private static async Task<long> ResidentBytesAsync(string path)
    {
        using var fincore = Process.Start(new ProcessStartInfo("fincore", ["--bytes", "--noheadings", "--output", "RES", path])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = await fincore.StandardOutput.ReadToEndAsync();
        await fincore.WaitForExitAsync();
        Assert.True(fincore.ExitCode == 0, await fincore.StandardError.ReadToEndAsync());
        return long.Parse(output.Trim());
    }
}
