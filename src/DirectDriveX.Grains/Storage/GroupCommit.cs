namespace DirectDriveX.Grains.Storage;

/// <summary>
/// Group commit of one grain's state writes, for a grain whose calls interleave (<c>[Reentrant]</c>): a caller changes the
/// state in its turn and then awaits <see cref="WriteAsync"/>, which completes once a write that <em>started after</em> the
/// call has landed, so the caller's change is durable when it returns, as with a write of its own. Callers that ask while a
/// write is running share the next one: N changes arriving during one write cost two writes, not N, and the grain's
/// storage is never written by two writes at once (its ETag stays one chain). Used only from the grain's own turns (its
/// scheduler runs one at a time), so it needs no lock. A failed write fails every caller of its batch; the next batch
/// writes again from whatever the state is then.
/// </summary>
internal sealed class GroupCommit(Func<Task> write)
{
    private TaskCompletionSource? _next; // the write the next caller joins; not started yet
    private TaskCompletionSource? _current; // the write running now
    private Task _running = Task.CompletedTask;

    /// <summary>Completes once a write that started after this call has landed; throws what that write threw.</summary>
    public Task WriteAsync()
    {
        _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var joined = _next.Task;
        if (_running.IsCompleted) _running = DrainAsync();
        return joined;
    }

    /// <summary>Completes once every write asked for so far has landed; throws what the last of them threw. For a caller
    /// that changed nothing but must not answer before an earlier caller's change is durable (an idempotent retry).</summary>
    public Task WrittenAsync() => _next?.Task ?? _current?.Task ?? Task.CompletedTask;

    /// <summary>Completes once every write asked for so far has landed (or failed); never throws. For deactivation.</summary>
    public async Task FlushAsync()
    {
        while (!_running.IsCompleted) await _running;
    }

    private async Task DrainAsync()
    {
        while (_next is { } batch)
        {
            (_current, _next) = (batch, null); // a caller from here on waits for the next write: this one may have read the state already
            try
            {
                await write();
                batch.SetResult();
            }
            catch (Exception error)
            {
                batch.SetException(error);
            }
        }
        _current = null;
    }
}
