using System.Security.Cryptography;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;
using DirectDriveX.Storage.Azure;
using DirectDriveX.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>
/// Two commits of one Azure writer in flight at once (<see cref="IStagingFile.CommitsConcurrently"/>) whose ranges share a
/// scratch window: the earlier one is still sending its first block when the later one, which completes the shared window,
/// is done and drops it. A range shares a window with the next whenever it does not end on a window's end: a chunk smaller
/// than the 1 MiB window (a file under about 10 MiB: a tus final of 9 MiB has chunks of 0.9 MiB), or a quiet commit.
/// </summary>
public sealed class AzureBlobConcurrentCommitTests(AzuriteServer server) : IClassFixture<AzuriteServer>, IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-azure-commits-").FullName;

    [Fact]
    public async Task A_commit_still_sending_keeps_the_window_a_later_commit_completes_until_it_has_sent_its_part()
    {
        var settings = new Dictionary<string, string?>(server.Settings)
        {
            ["FileStore:RootDirectory"] = _root,
            ["FileStore:AzureBlob:Prefix"] = $"t{Guid.NewGuid():N}/",
        };
        var options = new FileStoreOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(FileStoreOptions.Section).Bind(options);
        var store = new AzureBlobUploadStore(Options.Create(options));
        var data = TestBytes.Random(8 * MiB, seed: 211);
        var uploadId = UploadIds.NewId();
        var target = new StagingTarget(uploadId, 1, data.Length, 4 * MiB, 0, [], null, null); // windows of 4 MiB

        StagedPart[] parts;
        await using (var staging = await store.OpenStagingAsync(target, CancellationToken.None))
        {
            for (var offset = 0; offset < data.Length; offset += 256 * 1024)
                await staging.WriteAsync(offset, data.AsMemory(offset, 256 * 1024), CancellationToken.None);
            // [0, 8 MiB - 1): a block of window 0 (4 MiB), then one of window 1; [8 MiB - 1, 8 MiB): one byte that completes
            // window 1, stored long before the first commit's 4 MiB block.
            var earlier = staging.CommitAsync(0, 8 * MiB - 1, CancellationToken.None);
            var later = await staging.CommitAsync(8 * MiB - 1, 8 * MiB, CancellationToken.None);
            parts = [.. StagedLayout.AfterCommit(StagedLayout.AfterCommit([], 0, 8 * MiB - 1, (await earlier).Parts), 8 * MiB - 1, 8 * MiB, later.Parts)];
        }

        var committed = target with { Committed = data.Length, Parts = parts };
        await store.AssembleAsync(committed, CancellationToken.None);
        await using var assembled = await store.OpenAssembledAsync(committed, CancellationToken.None);
        Assert.Equal(SHA256.HashData(data), await SHA256.HashDataAsync(assembled));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "scratch"), $"{uploadId}.*"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
