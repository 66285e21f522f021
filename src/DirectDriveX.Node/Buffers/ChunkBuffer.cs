namespace DirectDriveX.Node.Buffers;

/// <summary>A buffer rented from the <see cref="ChunkBufferPool"/>. Dispose it (use <c>using</c>) to give it back; disposing twice is harmless.</summary>
public sealed class ChunkBuffer : IDisposable
{
    private readonly ChunkBufferPool _pool;
    private byte[]? _array;

    internal ChunkBuffer(ChunkBufferPool pool, byte[] array, int length)
    {
        _pool = pool;
        _array = array;
        Length = length;
    }

    /// <summary>The length asked for; the buffer behind it is its tier's size.</summary>
    public int Length { get; }

    public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(ChunkBuffer))).AsMemory(0, Length);

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null) _pool.Return(array);
    }
}
