using System.Buffers;

namespace DirectDriveX.Storage.Objects;

/// <summary>
/// A request body read through a pooled read-ahead of <c>readAheadBytes</c> from a seekable stream whose synchronous reads are
/// cheap (a scratch range: positional reads of a local file the writer has just written, in the page cache). Every read is
/// answered synchronously on the reader's thread, the asynchronous ones too: the AWS SDK over http reads an S3 part's body
/// twice, first in 4 KiB synchronous reads to hash it, then in 8 KiB <c>ReadAsync(byte[], …)</c> calls to send it, and a
/// <see cref="BufferedStream"/> over an asynchronous range stream allocated a task, two state machines and a buffer of the
/// read-ahead's size per body for that (about 16 MiB per GiB uploaded, which the server GC then kept committed). Here a read
/// allocates nothing: the buffer comes from the shared pool and goes back when the body is disposed, and an asynchronous read
/// of the same length as the one before returns the same completed task (as <see cref="MemoryStream"/> does).
/// </summary>
internal sealed class ReadAheadBodyStream(Stream inner, int readAheadBytes) : ReadOnlySeekableStream(inner.Length)
{
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(readAheadBytes);
    private long _bufferStart;
    private int _bufferLength;
    private Task<int>? _lastRead;

    public override bool CanRead => _buffer is not null;
    public override bool CanSeek => _buffer is not null;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(ReadAheadBodyStream));
        var position = Position;
        if (destination.IsEmpty || position >= Length) return 0;
        if (position < _bufferStart || position >= _bufferStart + _bufferLength) Fill(buffer, position);
        var from = (int)(position - _bufferStart);
        var count = Math.Min(destination.Length, _bufferLength - from);
        buffer.AsSpan(from, count).CopyTo(destination);
        Position = position + count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<int>(cancellationToken);
        var read = Read(buffer.AsSpan(offset, count));
        return _lastRead is { } last && last.Result == read ? last : _lastRead = Task.FromResult(read);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new ValueTask<int>(Read(buffer.Span));

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Reads the inner stream from <paramref name="position"/> on, as far as the buffer holds or the body ends.</summary>
    private void Fill(byte[] buffer, long position)
    {
        var wanted = (int)Math.Min(buffer.Length, Length - position);
        inner.Position = position;
        _bufferStart = position;
        _bufferLength = 0;
        while (_bufferLength < wanted)
        {
            var read = inner.Read(buffer.AsSpan(_bufferLength, wanted - _bufferLength));
            if (read == 0) throw new IOException($"The body ends at {_bufferStart + _bufferLength}, before its {Length} bytes.");
            _bufferLength += read;
        }
    }
}
