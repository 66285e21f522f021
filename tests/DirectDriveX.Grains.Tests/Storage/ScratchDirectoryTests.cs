using DirectDriveX.Storage.Objects;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>An object store's scratch directory is emptied by this process's first use, not by the store's construction: a
/// gateway builds the store for downloads and never writes, and must not delete a silo's scratch beside it.</summary>
public sealed class ScratchDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-scratch-dir-").FullName;

    [Fact]
    public async Task A_scratch_left_by_another_process_is_kept_until_this_process_first_uses_the_directory()
    {
        var left = Path.Combine(_root, "scratch", "AAAAAAAAAAAAAAAAAAAAAA.1.0");
        Directory.CreateDirectory(Path.GetDirectoryName(left)!);
        await File.WriteAllBytesAsync(left, [1, 2, 3]);

        var scratch = new ScratchDirectory(_root);
        Assert.True(File.Exists(left)); // built, not used: a gateway's store

        using (scratch.Open("BBBBBBBBBBBBBBBBBBBBBB", epoch: 1, windowSize: 1024 * 1024)) { }
        Assert.False(File.Exists(left)); // a writer's first use: what an earlier process left is gone
        Assert.True(Directory.Exists(scratch.Path));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
