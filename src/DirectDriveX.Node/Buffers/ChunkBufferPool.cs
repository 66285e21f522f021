using Microsoft.Extensions.Options;

namespace DirectDriveX.Node.Buffers;

/// <summary>
/// The silo's bounded pool of the buffers every chunk is received through, a slice at a time: at most 15 by default, each of
/// <see cref="BufferSize"/> bytes. A chunk (8 MiB by default, the unit a client is acknowledged by and an object store's part)
/// is never held whole in memory: its bytes go from the buffer to the upload's staging file in slices as they arrive, and the
/// buffer takes the next slice. Buffers are allocated lazily, on first need, and reused after. When none is free, a renter
/// waits, in arrival order, up to a deadline, and then gets null: never an unbounded allocation.
/// </summary>
public sealed class ChunkBufferPool
{
    /// <summary>The size of every buffer: one slice of a chunk. Received bytes are written to the file once this many are
    /// pending (or at a chunk's end): large enough to keep system calls few, small enough to stay in cache between the socket
    /// copy, the hash and the page-cache copy. A buffer of a whole chunk (8–32 MiB) was resident for a slice's use.</summary>
    public const int BufferSize = 256 * 1024;

    private readonly int _maxBuffers;
    private readonly TimeSpan _waitTimeout;
    private readonly Stack<byte[]> _free = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Lock _lock = new();
    private int _allocated;
    private int _inUse;

    public ChunkBufferPool(IOptions<ChunkBufferPoolOptions> options)
    {
        _maxBuffers = options.Value.MaxBuffers;
        _waitTimeout = options.Value.WaitTimeout;
    }

    /// <summary>Whether writers are waiting for a buffer now: a writer holding one with nothing pending gives it back.</summary>
    public bool HasWaiters
    {
        get
        {
            lock (_lock) return _waiters.Count > 0;
        }
    }

    public ChunkBufferPoolStatistics Statistics
    {
        get
        {
            lock (_lock)
                return new ChunkBufferPoolStatistics(_inUse, (long)_inUse * BufferSize, _allocated, _maxBuffers, _waiters.Count);
        }
    }

    /// <summary>Rents a buffer of <see cref="BufferSize"/> bytes, waiting up to the configured deadline. Null when the pool
    /// stayed exhausted until then.</summary>
    public async ValueTask<ChunkBuffer?> RentAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && TryTake() is { } array)
                return new ChunkBuffer(this, array);
            waiter = new Waiter();
            waiter.Node = _waiters.AddLast(waiter);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_waitTimeout);
        await using var registration = deadline.Token.Register(() => Abandon(waiter));
        var granted = await waiter.Completion.Task.ConfigureAwait(false);
        if (granted is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
        return new ChunkBuffer(this, granted);
    }

    internal void Return(byte[] array)
    {
        lock (_lock)
        {
            _inUse--;
            _free.Push(array);
            ServeWaiters();
        }
    }

    private void ServeWaiters()
    {
        // Arrival order: the first waiter is served first, and later ones do not overtake it.
        while (_waiters.First is { } node && TryTake() is { } array)
        {
            _waiters.RemoveFirst();
            node.Value.Node = null;
            node.Value.Completion.SetResult(array);
        }
    }

    private void Abandon(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is null) return; // already served
            _waiters.Remove(waiter.Node);
            waiter.Node = null;
            waiter.Completion.TrySetResult(null);
        }
    }

    private byte[]? TryTake()
    {
        if (_free.TryPop(out var array))
        {
            _inUse++;
            return array;
        }
        if (_allocated >= _maxBuffers) return null;
        _allocated++;
        _inUse++;
        return GC.AllocateUninitializedArray<byte>(BufferSize);
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<byte[]?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
