namespace DirectDriveX.Storage.Objects;

/// <summary>
/// A read-only, seekable stream over a stored object of known length, read with ranged GETs: a read after a seek opens the
/// object from the new position (ASP.NET's range processing seeks once, then reads on), so a download holds one response
/// body and no buffer of its own.
/// </summary>
internal sealed class ObjectReadStream(long length, Func<long, CancellationToken, Task<Stream>> openAt) : ReadOnlySeekableStream(length)
{
    private Stream? _body;
    private long _bodyPosition = -1;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var position = Position;
        if (position >= Length || buffer.IsEmpty) return 0;
        if (_body is null || _bodyPosition != position)
        {
            if (_body is not null) await _body.DisposeAsync();
            _body = await openAt(position, cancellationToken);
            _bodyPosition = position;
        }
        var read = await _body.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Length - position)], cancellationToken);
        if (read == 0) throw new IOException($"The stored object ended at {position} of {Length} bytes.");
        Position = position + read;
        _bodyPosition += read;
        return read;
    }

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
