using System.Collections.Concurrent;

namespace DirectDriveX.Storage.Objects;

/// <summary>
/// A writer's scratch for an object store: the bytes it has received and not yet sent whole to the store, in one local file
/// per window of <c>windowSize</c> bytes (<c>{uploadId}.{epoch}.{window}</c>), so a window can be dropped once the store holds
/// it while the writer already fills the next one. A writer holds at most about two windows.
/// </summary>
internal sealed class ScratchFile(string directory, string uploadId, int epoch, long windowSize) : IDisposable
{
    private readonly ConcurrentDictionary<long, LocalFile> _windows = new();
    private readonly Lock _gate = new();
    /// <summary>Open streaming bodies per window: a window a body still reads is deleted when the last such body is disposed.</summary>
    private readonly Dictionary<long, int> _readers = [];
    private readonly HashSet<long> _doomed = [];

    public long WindowSize => windowSize;

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var window = offset / windowSize;
            var count = (int)Math.Min(data.Length, (window + 1) * windowSize - offset);
            await Window(window).WriteAsync(offset, data[..count], cancellationToken);
            offset += count;
            data = data[count..];
        }
    }

    /// <summary>Reads [offset, offset + buffer.Length) (it must all have been written).</summary>
    public async ValueTask ReadExactlyAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var window = offset / windowSize;
            var count = (int)Math.Min(buffer.Length, (window + 1) * windowSize - offset);
            var read = await Window(window).ReadAsync(offset, buffer[..count], cancellationToken);
            if (read == 0) throw new IOException($"The scratch of upload {uploadId} ends before {offset}.");
            offset += read;
            buffer = buffer[read..];
        }
    }

    /// <summary>Reads [offset, offset + buffer.Length) on the calling thread (it must all have been written).</summary>
    public void ReadExactly(long offset, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var window = offset / windowSize;
            var count = (int)Math.Min(buffer.Length, (window + 1) * windowSize - offset);
            var read = Window(window).Read(offset, buffer[..count]);
            if (read == 0) throw new IOException($"The scratch of upload {uploadId} ends before {offset}.");
            offset += read;
            buffer = buffer[read..];
        }
    }

    /// <summary>A body of at most this many bytes is read into one pooled buffer; a larger one (a part of a file of more than
    /// about 140 GiB, cut in 9,000 parts) is read through a buffer of <see cref="LargeBodyReadBytes"/>.</summary>
    public const int MaxPooledBodyBytes = 16 * 1024 * 1024;

    public const int LargeBodyReadBytes = 1024 * 1024;

    /// <summary>[start, end) of the scratch as a request body (a whole file sent to Azure as one Put Blob; S3 parts go as
    /// <see cref="OpenSignedBody"/>): seekable, so an SDK can sign, send and retry it. Up to
    /// <see cref="MaxPooledBodyBytes"/> it is read at once into one pooled buffer (given back when the body is disposed);
    /// a larger one is read from the scratch <see cref="LargeBodyReadBytes"/> at a time, whatever size the SDK reads in.
    /// Every pooled body, whatever its length, takes a buffer of the window's size (a shorter body uses its start), so the
    /// process keeps buffers of one size only (<see cref="PooledRequestBody.KeptPerSize"/> of them) instead of two of every
    /// power of two a commit's length rounded up to (a 16 MiB commit of two chunks, a quiet commit of 3 MiB, a last chunk).</summary>
    public async Task<Stream> OpenBodyAsync(long start, long end, CancellationToken cancellationToken)
    {
        var length = end - start;
        if (length > MaxPooledBodyBytes) return new BufferedStream(OpenStreamingBody(start, end), LargeBodyReadBytes);
        var buffer = (int)Math.Clamp(windowSize, length, MaxPooledBodyBytes);
        return await PooledRequestBody.FillAsync((int)length, buffer, memory => ReadExactlyAsync(start, memory, cancellationToken));
    }

    /// <summary>[start, end) of the scratch as a request body read straight from the scratch in the reader's own pieces, with no
    /// buffer of its own: for an SDK that reads its body once, in pieces of tens of KiB (the Azure SDK: 80 KiB), so that a
    /// body costs no memory beyond the reader's buffer. Seekable, for retries.
    /// A window that another commit drops meanwhile (a later range that completes it, on a store whose commits run
    /// concurrently) stays until this body is disposed: an SDK's retry reads it again from the start.</summary>
    public Stream OpenStreamingBody(long start, long end)
    {
        Hold(start, end, +1); // released when the body is disposed
        return new ScratchRangeStream(this, start, end);
    }

    /// <summary>Bytes a signed body reads ahead of its reader (<see cref="OpenSignedBody"/>): below the large-object heap's 85,000.</summary>
    public const int SignedBodyReadAheadBytes = 64 * 1024;

    /// <summary>[start, end) of the scratch as a body for an SDK that reads it twice, the first time in 4 KiB synchronous reads
    /// (the AWS SDK over http: it hashes the body for SigV4, then sends it): read from the scratch on the reader's thread through
    /// a pooled read-ahead of <see cref="SignedBodyReadAheadBytes"/> (<see cref="ReadAheadBodyStream"/>), so a body costs 64 KiB
    /// of memory instead of a buffer of its length, a 4 KiB read is a copy, not a system call, and no read allocates.
    /// Seekable, for the second pass and for retries.</summary>
    public Stream OpenSignedBody(long start, long end) => new ReadAheadBodyStream(OpenStreamingBody(start, end), SignedBodyReadAheadBytes);

    /// <summary>Deletes the windows a commit of [<paramref name="from"/>, <paramref name="to"/>) made whole in the store: those
    /// that end within (from, to]. Windows below are an earlier commit's to drop, which may still be reading them (a store
    /// whose commits run concurrently); a window shared with an earlier commit still in flight is deleted once that commit
    /// lets go of it (<see cref="HoldRange"/>).</summary>
    public void DropCommitted(long from, long to)
    {
        foreach (var window in _windows.Keys)
        {
            var end = (window + 1) * windowSize;
            if (end <= from || end > to) continue;
            Drop(window);
        }
    }

    /// <summary>Deletes every window that starts at or past <paramref name="offset"/> (the window holding it keeps the bytes below).</summary>
    public void DropFrom(long offset)
    {
        foreach (var window in _windows.Keys)
        {
            if (window * windowSize < offset) continue;
            Drop(window);
        }
    }

    /// <summary>Deletes every window that lies wholly below <paramref name="offset"/>.</summary>
    public void DropBelow(long offset)
    {
        foreach (var window in _windows.Keys)
        {
            if ((window + 1) * windowSize > offset) continue;
            Drop(window);
        }
    }

    public void Dispose()
    {
        foreach (var file in _windows.Values) file.Dispose();
        _windows.Clear();
    }

    /// <summary>Deletes a window's file now, or when the last body still reading it is disposed.</summary>
    private void Drop(long window)
    {
        lock (_gate)
        {
            if (_readers.GetValueOrDefault(window) > 0)
            {
                _doomed.Add(window);
                return;
            }
        }
        Delete(window);
    }

    /// <summary>Keeps the windows of [start, end) until the result releases them (<see cref="ScratchRangeHold"/>): a commit's
    /// whole range, taken when the commit starts, so that a later commit in flight beside it cannot delete a window the two
    /// share before this one has sent its part of it.</summary>
    public ScratchRangeHold HoldRange(long start, long end)
    {
        Hold(start, end, +1);
        return new ScratchRangeHold(this, start, end);
    }

    /// <summary>Counts a body or a commit reading [start, end) in (+1) or out (-1) of the windows it touches; the last one out
    /// of a dropped window deletes it.</summary>
    internal void Hold(long start, long end, int delta)
    {
        if (end <= start) return;
        var dropped = new List<long>();
        lock (_gate)
        {
            for (var window = start / windowSize; window <= (end - 1) / windowSize; window++)
            {
                var readers = _readers.GetValueOrDefault(window) + delta;
                if (readers > 0)
                {
                    _readers[window] = readers;
                    continue;
                }
                _readers.Remove(window);
                if (_doomed.Remove(window)) dropped.Add(window);
            }
        }
        foreach (var window in dropped) Delete(window);
    }

    private void Delete(long window)
    {
        if (_windows.TryRemove(window, out var file)) file.Dispose();
        File.Delete(PathOf(window));
    }

    /// <summary>The window's file, opened on first use (the factory takes this scratch as its argument: a lambda that captured it
    /// was a delegate allocated per read and write).</summary>
    private LocalFile Window(long window) => _windows.GetOrAdd(window, static (w, scratch) => new LocalFile(
        File.OpenHandle(scratch.PathOf(w), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete),
        w * scratch.WindowSize, flushToDisk: false, dropWrittenPages: false), this);

    private string PathOf(long window) => Path.Combine(directory, $"{uploadId}.{epoch}.{window}");

    /// <summary>Whether the scratch window files of this upload and epoch exist on this node: the bytes a writer of this epoch
    /// committed from here (an epoch lives in one process, so they are this process's own).</summary>
    public bool HasWindow(long window) => _windows.ContainsKey(window) || File.Exists(PathOf(window));

    private sealed class ScratchRangeStream(ScratchFile scratch, long start, long end) : ReadOnlySeekableStream(end - start)
    {
        private int _disposed;

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) scratch.Hold(start, end, -1);
            base.Dispose(disposing);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, Length - Position);
            if (count <= 0) return 0;
            scratch.ReadExactly(start + Position, buffer[..count]);
            Position += count;
            return count;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var count = (int)Math.Min(buffer.Length, Length - Position);
            if (count <= 0) return 0;
            await scratch.ReadExactlyAsync(start + Position, buffer[..count], cancellationToken);
            Position += count;
            return count;
        }
    }
}
