namespace DirectDriveX.Storage.Objects;

/// <summary>
/// A read-only, seekable stream over a stored object of known length, read with ranged GETs: a read after a seek opens the
/// object from the new position (ASP.NET's range processing seeks once, then reads on), so a download holds one response
/// body and no buffer of its own.
/// </summary>
internal sealed class ObjectReadStream(long length, Func<long, CancellationToken, Task<Stream>> openAt) : Stream
{
    private Stream? _body;
    private long _bodyPosition = -1;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => _position = Math.Clamp(value, 0, length); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.IsEmpty) return 0;
        if (_body is null || _bodyPosition != _position)
        {
            if (_body is not null) await _body.DisposeAsync();
            _body = await openAt(_position, cancellationToken);
            _bodyPosition = _position;
        }
        var read = await _body.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _position)], cancellationToken);
        if (read == 0) throw new IOException($"The stored object ended at {_position} of {length} bytes.");
        _position += read;
        _bodyPosition += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _body?.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_body is not null) await _body.DisposeAsync();
        await base.DisposeAsync();
    }
}
