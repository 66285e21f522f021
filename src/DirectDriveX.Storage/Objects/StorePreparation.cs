namespace DirectDriveX.Storage.Objects;

/// <summary>
/// What an object store does once before its first use (creates its bucket or container where configured): run by the first
/// caller, shared by those that come while it runs, and kept once it has succeeded. One that failed (the store not up yet, a
/// network blip) is run again by the next caller, not remembered: a store that was down when the first upload came is used
/// once it is back, without a restart.
/// </summary>
public sealed class StorePreparation(Func<Task> prepare)
{
    private readonly Lock _lock = new();
    private Task? _preparing;

    public Task EnsureAsync()
    {
        lock (_lock)
        {
            if (_preparing is null || _preparing.IsFaulted || _preparing.IsCanceled) _preparing = prepare();
            return _preparing;
        }
    }
}
