using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Downloads;

/// <summary>
/// A read-only, seekable view of a stored file, read through <see cref="IStoredFileGrain.Read"/> in blocks of 4 MiB, so
/// ASP.NET's range processing can serve any byte range without the gateway holding the file. While one block is being
/// sent, the next is already being read (one block of read-ahead), so the node's disk read and the grain call overlap
/// the network write; at most two blocks are held.
/// </summary>
public sealed class StoredFileStream(IStoredFileGrain file, long length) : Stream
{
    private const int BlockSize = 4 * 1024 * 1024;
    private ReadOnlyMemory<byte> _block = ReadOnlyMemory<byte>.Empty;
    private long _blockStart;
    private Task<ReadOnlyMemory<byte>>? _next;
    private long _nextStart = -1;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, length);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.IsEmpty) return 0;
        if (_position < _blockStart || _position >= _blockStart + _block.Length)
        {
            var fetch = _next is not null && _nextStart == _position ? _next : Fetch(_position);
            _next = null;
            _blockStart = _position;
            _block = await fetch.WaitAsync(cancellationToken);
            if (_block.IsEmpty) return 0;
            var following = _blockStart + _block.Length;
            if (following < length)
            {
                _nextStart = following;
                _next = Fetch(following);
            }
        }
        var available = _block[(int)(_position - _blockStart)..];
        var count = Math.Min(available.Length, buffer.Length);
        available[..count].CopyTo(buffer);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private Task<ReadOnlyMemory<byte>> Fetch(long start) => file.Read(start, (int)Math.Min(BlockSize, length - start));
}
