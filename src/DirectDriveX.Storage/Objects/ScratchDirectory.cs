using System.Runtime.CompilerServices;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage.Objects;

/// <summary>
/// This process's scratch directory for an object store (<c>{FileStore:RootDirectory}/scratch</c>): the parts writers are
/// filling. Nothing in it outlives the process's epochs (an epoch lives in one process), so it is emptied before this process
/// first uses it; a node never needs another node's scratch, nor its own after a crash. Only its first use empties it, not
/// the store's construction: a process that never writes (a gateway, which builds the store for downloads) leaves alone a
/// directory it may have been given by mistake beside a silo's.
/// </summary>
internal sealed class ScratchDirectory(string rootDirectory)
{
    private readonly Lazy<string> _path = new(() =>
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(rootDirectory), "scratch");
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        Directory.CreateDirectory(path);
        return path;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The directory, emptied on the first call.</summary>
    public string Path => _path.Value;

    public ScratchFile Open(string uploadId, int epoch, long windowSize) => new(Path, uploadId, epoch, windowSize);

    /// <summary>Deletes every scratch file of the upload.</summary>
    public Task DeleteAsync(string uploadId, CancellationToken cancellationToken) => Task.Run(() =>
    {
        foreach (var file in Directory.EnumerateFiles(Path, $"{uploadId}.*")) File.Delete(file);
    }, cancellationToken);

    public async IAsyncEnumerable<StagedFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var files = await Task.Run(() => new DirectoryInfo(Path).GetFiles(), cancellationToken);
        foreach (var file in files)
        {
            var parts = file.Name.Split('.');
            if (parts.Length == 3 && UploadIds.IsWellFormed(parts[0]) && int.TryParse(parts[1], out var epoch))
                yield return new StagedFile(parts[0], epoch, file.LastWriteTimeUtc);
        }
    }
}
