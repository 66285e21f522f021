using Microsoft.Extensions.Options;

namespace DirectDriveX.Node.Buffers;

/// <summary>
/// The silo's bounded pool of large chunk buffers in tiers of 8, 16 and 32 MiB (at most 15 buffers by default, 7/15/3 by tier).
/// Buffers are allocated lazily, on first need, and reused after. A rent takes the smallest tier that fits and can serve now;
/// when none can, the renter waits, in arrival order, up to a deadline, and then gets null: never an unbounded allocation.
/// </summary>
public sealed class ChunkBufferPool
{
    private readonly IReadOnlyList<ChunkBufferTier> _tiers;
    private readonly int _maxBuffers;
    private readonly TimeSpan _waitTimeout;
    private readonly Stack<byte[]>[] _free;
    private readonly int[] _allocated;
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Lock _lock = new();
    private int _inUse;
    private long _bytesInUse;

    public ChunkBufferPool(IOptions<ChunkBufferPoolOptions> options)
    {
        var o = options.Value;
        _tiers = ChunkBufferTier.From(o);
        _maxBuffers = o.MaxBuffers;
        _waitTimeout = o.WaitTimeout;
        _free = _tiers.Select(_ => new Stack<byte[]>()).ToArray();
        _allocated = new int[_tiers.Count];
    }

    /// <summary>Whether writers are waiting for a buffer now: a writer holding one with nothing pending gives it back.</summary>
    public bool HasWaiters
    {
        get
        {
            lock (_lock) return _waiters.Count > 0;
        }
    }

    /// <summary>The largest chunk the pool can hold.</summary>
    public int LargestBufferSize => _tiers.Where(t => t.MaxBuffers > 0).Max(t => t.BufferSize);

    public ChunkBufferPoolStatistics Statistics
    {
        get
        {
            lock (_lock)
                return new ChunkBufferPoolStatistics(_inUse, _bytesInUse, _allocated.Sum(), _maxBuffers, _waiters.Count);
        }
    }

    /// <summary>
    /// Rents a buffer of at least <paramref name="length"/> bytes, waiting up to the configured deadline.
    /// Null when the pool stayed exhausted until then.
    /// </summary>
    public async ValueTask<ChunkBuffer?> RentAsync(int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, LargestBufferSize);

        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && TryTake(length) is { } array)
                return new ChunkBuffer(this, array, length);
            waiter = new Waiter(length);
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
        return new ChunkBuffer(this, granted, length);
    }

    internal void Return(byte[] array)
    {
        lock (_lock)
        {
            var tier = TierOf(array.Length);
            _inUse--;
            _bytesInUse -= array.Length;
            _free[tier].Push(array);
            ServeWaiters();
        }
    }

    private void ServeWaiters()
    {
        // Arrival order: the first waiter is served first, and later ones do not overtake it.
        while (_waiters.First is { } node && TryTake(node.Value.Length) is { } array)
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
            ServeWaiters(); // a large request leaving the head may unblock smaller ones behind it
        }
    }

    private byte[]? TryTake(int length)
    {
        for (var t = 0; t < _tiers.Count; t++)
        {
            if (_tiers[t].BufferSize < length) continue;
            if (_free[t].TryPop(out var array)) return Lend(array);
        }
        for (var t = 0; t < _tiers.Count; t++)
        {
            var tier = _tiers[t];
            if (tier.BufferSize < length || _allocated[t] >= tier.MaxBuffers) continue;
            if (_allocated.Sum() >= _maxBuffers) return null;
            _allocated[t]++;
            return Lend(GC.AllocateUninitializedArray<byte>(tier.BufferSize));
        }
        return null;
    }

    private byte[] Lend(byte[] array)
    {
        _inUse++;
        _bytesInUse += array.Length;
        return array;
    }

    private int TierOf(int bufferSize)
    {
        for (var t = 0; t < _tiers.Count; t++)
            if (_tiers[t].BufferSize == bufferSize) return t;
        throw new ArgumentException("The array did not come from this pool.", nameof(bufferSize));
    }

    private sealed class Waiter(int length)
    {
        public int Length { get; } = length;
        public TaskCompletionSource<byte[]?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
