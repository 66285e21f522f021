using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.Clients;

/// <summary>
/// A client's count as its grain's interleaving calls see and change it (<see cref="Count"/>), and its record in grain storage,
/// written by group commit (<see cref="GroupCommit"/>). Each write stores a copy of the count, so a call that changes it while
/// a write runs changes neither what that write serializes nor is lost when a clear resets the storage's state object. A
/// client with nothing counted leaves no record behind: no live or parked session, and no bytes that a day limit still needs
/// (without one, today's bytes are only a figure, not worth a record per address that ever uploaded).
/// </summary>
internal sealed class ClientCountRecord(IPersistentState<UploadClientState> state)
{
    private GroupCommit? _writes;
    private bool _unwritten;

    public UploadClientState Count { get; set; } = Copy(state.State);

    /// <summary>Durable once it returns: a write that started after the caller's change has landed.</summary>
    public Task SaveAsync() => (_writes ??= new GroupCommit(WriteOrClearAsync)).WriteAsync();

    /// <summary>For a call that changed nothing: durable once every change made before it is (an idempotent retry may arrive
    /// while the first call's write is still running).</summary>
    public Task WrittenAsync() => _writes?.WrittenAsync() ?? Task.CompletedTask;

    /// <summary>The count has a change that no write has taken yet (<see cref="MarkUnwritten"/>).</summary>
    public bool HasUnwrittenChanges => _unwritten;

    /// <summary>A change left for the next write to take, whichever caller asks for it.</summary>
    public void MarkUnwritten() => _unwritten = true;

    /// <summary>Writes what is left unwritten, and waits for every write asked for so far (deactivation).</summary>
    public async Task FlushAsync()
    {
        if (_unwritten) await SaveAsync();
        if (_writes is not null) await _writes.FlushAsync();
    }

    private Task WriteOrClearAsync()
    {
        _unwritten = false; // this write takes every change made so far
        var count = Count;
        if (count.Live.Count == 0 && count.Parked.Count == 0 && (count.BytesToday == 0 || !count.DayLimited)) return state.ClearStateAsync();
        state.State = Copy(count);
        return state.WriteStateAsync();
    }

    private static UploadClientState Copy(UploadClientState count) => count with
    {
        Live = new Dictionary<string, CountedUpload>(count.Live, StringComparer.Ordinal),
        Parked = new Dictionary<string, CountedUpload>(count.Parked, StringComparer.Ordinal),
    };
}
