using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace DirectDriveX.Storage;

/// <summary>
/// Makes renames in a directory durable with an fsync of the directory, group-committed: a caller that asks after its
/// rename waits for an fsync that starts after it asked, and every caller that asked while one fsync ran shares the next.
/// So N concurrent writers to one directory cost about two directory fsyncs, not N. On platforms without a directory
/// fsync (Windows: a rename is journaled by NTFS) this does nothing. Used by the file grain state (<c>state/</c>) and the
/// file system store's publishing (<c>files/</c>).
/// </summary>
public sealed class DirectorySync(Action<string>? fsync = null)
{
    private readonly ConcurrentDictionary<string, Directory> _directories = new(StringComparer.Ordinal);
    private readonly Action<string> _fsync = fsync ?? Fsync;

    /// <summary>Completes once an fsync of <paramref name="directory"/> that started after this call has finished.</summary>
    public Task FlushAsync(string directory) =>
        OperatingSystem.IsWindows() && fsync is null ? Task.CompletedTask : Of(directory).FlushAsync();

    /// <summary>
    /// As <see cref="FlushAsync"/>, for a caller already on a thread-pool thread that may block (it has just renamed): when
    /// no fsync of <paramref name="directory"/> is running, this caller runs the next one on its own thread and returns it
    /// done, so its rename and the fsync after it cost one hop to the thread pool, not three (issue 19, sixth round); those
    /// who ask meanwhile share the one after it, on the thread pool, as with <see cref="FlushAsync"/>. When one is running,
    /// it joins the next.
    /// </summary>
    public Task FlushHereAsync(string directory) =>
        OperatingSystem.IsWindows() && fsync is null ? Task.CompletedTask : Of(directory).FlushHereAsync();

    /// <summary>The directory's group commit (a factory that takes this as its argument: a lambda that captured it was a delegate
    /// allocated per call, one per upload).</summary>
    private Directory Of(string directory) => _directories.GetOrAdd(directory, static (d, owner) => new Directory(d, owner), this);

    /// <summary>How many directory fsyncs ran (for tests and measurement).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    private long _flushes;

    private sealed class Directory(string path, DirectorySync owner)
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource? _next; // the fsync the next caller joins; not started yet
        private bool _running;

        public Task FlushAsync()
        {
            lock (_gate)
            {
                _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var joined = _next.Task;
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(Run);
                }
                return joined;
            }
        }

        public Task FlushHereAsync()
        {
            TaskCompletionSource batch;
            lock (_gate)
            {
                _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_running) return _next.Task;
                _running = true;
                (batch, _next) = (_next, null);
            }
            Sync(batch);
            lock (_gate)
            {
                if (_next is null)
                {
                    _running = false;
                    return batch.Task;
                }
            }
            _ = Task.Run(Run); // those who asked during this caller's fsync
            return batch.Task;
        }

        private void Run()
        {
            while (true)
            {
                TaskCompletionSource batch;
                lock (_gate)
                {
                    if (_next is null)
                    {
                        _running = false;
                        return;
                    }
                    (batch, _next) = (_next, null);
                }
                Sync(batch);
            }
        }

        /// <summary>The fsync starts after every caller in this batch asked, so after each one's rename.</summary>
        private void Sync(TaskCompletionSource batch)
        {
            try
            {
                owner._fsync(path);
                Interlocked.Increment(ref owner._flushes);
                batch.SetResult();
            }
            catch (Exception error)
            {
                batch.SetException(error);
            }
        }
    }

    private static void Fsync(string path)
    {
        var fd = Open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw new IOException($"open({path}) for a directory fsync failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (FsyncNative(fd) != 0) throw new IOException($"fsync of directory {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private const int O_RDONLY = 0;
    // Linux x64: 0200000; Linux arm/arm64: 040000; macOS: 0x100000.
    private static readonly int O_DIRECTORY = !OperatingSystem.IsLinux() ? 0x100000
        : RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    private static readonly int O_CLOEXEC = OperatingSystem.IsLinux() ? 0x80000 : 0x1000000;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FsyncNative(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
