namespace DirectDriveX.Node.Buffers;

/// <summary>A buffer rented from the <see cref="ChunkBufferPool"/>, of <see cref="ChunkBufferPool.BufferSize"/> bytes. Dispose it
/// (use <c>using</c>) to give it back; disposing twice is harmless.</summary>
public sealed class ChunkBuffer : IDisposable
{
    private readonly ChunkBufferPool _pool;
    private byte[]? _array;

    internal ChunkBuffer(ChunkBufferPool pool, byte[] array)
    {
        _pool = pool;
        _array = array;
    }

    public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(ChunkBuffer));

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null) _pool.Return(array);
    }
}
