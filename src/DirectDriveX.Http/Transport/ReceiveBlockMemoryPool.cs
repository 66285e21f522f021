using System.Buffers;
using System.Collections.Concurrent;

namespace DirectDriveX.Http.Transport;

/// <summary>
/// The memory Kestrel's sockets receive into, in 64 KiB pinned blocks instead of Kestrel's 4 KiB ones: Kestrel reads a
/// socket into the free part of one block, so with 4 KiB blocks a 1 GiB upload costs 262,144 <c>recv</c> calls, each
/// a system call, a pipe advance and a wake-up; with 64 KiB blocks it costs at most 16,384. Kestrel still bounds what one
/// connection buffers (<c>MaxRequestBufferSize</c>, 1 MiB), so a connection holds no more memory, in fewer pieces.
/// Up to <see cref="RetainedBlocks"/> returned blocks are kept for reuse; beyond that they are left to the GC.
/// </summary>
public sealed class ReceiveBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;
    public const int RetainedBlocks = 256; // 16 MiB: 16 connections each at Kestrel's 1 MiB bound

    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _retained;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block)) Interlocked.Decrement(ref _retained);
        else block = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        return new Block(this, block);
    }

    private void Return(byte[] block)
    {
        if (Interlocked.Increment(ref _retained) <= RetainedBlocks) _free.Enqueue(block);
        else Interlocked.Decrement(ref _retained);
    }

    protected override void Dispose(bool disposing) => _free.Clear();

    private sealed class Block(ReceiveBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned) pool.Return(returned);
        }
    }
}
