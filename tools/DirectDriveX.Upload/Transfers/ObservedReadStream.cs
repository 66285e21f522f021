using System.Security.Cryptography;

namespace DirectDriveX.Upload.Transfers;

/// <summary>A read-only pass-through that feeds the caller's hash and counts the bytes as the HTTP stack reads them.
/// The hash stays the caller's: the HTTP stack disposes this stream once the request is sent.</summary>
internal sealed class ObservedReadStream(Stream inner, IncrementalHash hash, Action<long> progress, (long Offset, Task Until)? pauseAt = null) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Observe(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (pauseAt is { } pause && BytesRead + buffer.Length > pause.Offset && !pause.Until.IsCompleted)
        {
            if (BytesRead < pause.Offset) buffer = buffer[..(int)(pause.Offset - BytesRead)];
            else await pause.Until.WaitAsync(cancellationToken);
        }
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Observe(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    private int Observe(ReadOnlySpan<byte> bytes)
    {
        hash.AppendData(bytes);
        BytesRead += bytes.Length;
        progress(BytesRead);
        return bytes.Length;
    }
}
