namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// Flow control for one connection: the bytes sent but not yet acknowledged never exceed the window (the session's
/// reservation), except that one chunk may always be in flight when nothing else is. Acknowledgements are cumulative
/// committed offsets, as the gateway sends them.
/// </summary>
internal sealed class AckWindow
{
    private readonly long _windowBytes;
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewSignal();

    public AckWindow(long windowBytes, long startOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowBytes);
        _windowBytes = windowBytes;
        Acknowledged = SentEnd = startOffset;
    }

    public long Acknowledged { get; private set; }
    public long SentEnd { get; private set; }
    public long InFlight { get { lock (_gate) return SentEnd - Acknowledged; } }

    /// <summary>True when <paramref name="bytes"/> more may be sent now.</summary>
    public bool HasRoomFor(long bytes)
    {
        lock (_gate) return SentEnd == Acknowledged || SentEnd - Acknowledged + bytes <= _windowBytes;
    }

    /// <summary>Completes once <paramref name="bytes"/> more may be sent.</summary>
    public async Task WaitForRoomAsync(long bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (SentEnd == Acknowledged || SentEnd - Acknowledged + bytes <= _windowBytes) return;
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Counts <paramref name="bytes"/> as in flight: call it before handing them to the socket, since their
    /// acknowledgement may arrive before the send returns.</summary>
    public void Sent(long bytes)
    {
        lock (_gate) SentEnd += bytes;
    }

    /// <summary>Records a committed offset. Stale or repeated acknowledgements change nothing.</summary>
    public void Acknowledge(long committedOffset)
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            if (committedOffset <= Acknowledged) return;
            if (committedOffset > SentEnd)
                throw new InvalidOperationException($"Acknowledged offset {committedOffset} is past the {SentEnd} bytes sent.");
            Acknowledged = committedOffset;
            released = _changed;
            _changed = NewSignal();
        }
        released.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
