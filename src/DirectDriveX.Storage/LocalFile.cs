using DirectDriveX.Storage.FileSystem;
using Microsoft.Win32.SafeHandles;

namespace DirectDriveX.Storage;

/// <summary>A local file holding an upload's bytes from <paramref name="start"/> at position 0: the file system store's staging
/// files, and object stores' scratch.</summary>
internal sealed class LocalFile(SafeFileHandle handle, long start, bool flushToDisk, bool dropWrittenPages) : IDisposable
{
    public long Start => start;

    /// <summary>A page-cache copy of at most a slice (256 KiB), done on the calling thread: a connection's receive loop,
    /// never a grain turn. On Linux .NET would only queue the same blocking call to the thread pool, a hop per slice
    /// that cost CPU and kept the bytes out of this core's cache.</summary>
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(offset, start);
        RandomAccess.Write(handle, data.Span, offset - start);
        return ValueTask.CompletedTask;
    }

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        RandomAccess.ReadAsync(handle, buffer, offset - start, cancellationToken);

    /// <summary>A read on the calling thread: for a caller that reads synchronously (an SDK hashing a request body), which would
    /// otherwise block its thread on <see cref="ReadAsync"/>'s hop to the thread pool.</summary>
    public int Read(long offset, Span<byte> buffer) => RandomAccess.Read(handle, buffer, offset - start);

    /// <summary>fsync (when the store flushes), then (unless <c>FileStore:CacheWrittenPages</c>) drop the file's now clean pages
    /// from the page cache.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => flushToDisk
        ? Task.Run(() =>
        {
            RandomAccess.FlushToDisk(handle);
            if (dropWrittenPages) PageCache.Drop(handle);
        }, cancellationToken)
        : Task.CompletedTask;

    public void Dispose() => handle.Dispose();

    /// <summary>fsync of the file at <paramref name="path"/>, by a handle of its own (an fsync makes every written page of the
    /// file durable, whichever handle wrote it), then, when asked, its now clean pages dropped as a commit's are. Nothing when
    /// there is no such file. Blocking: call it on the thread pool.</summary>
    public static void Flush(string path, bool dropWrittenPages)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return;
        }
        using (handle)
        {
            RandomAccess.FlushToDisk(handle);
            if (dropWrittenPages) PageCache.Drop(handle);
        }
    }
}
