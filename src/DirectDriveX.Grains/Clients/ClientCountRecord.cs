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
    private bool _lastWriteFailed;

    public UploadClientState Count { get; set; } = Copy(state.State);

    /// <summary>Durable once it returns: a write that started after the caller's change has landed.</summary>
    public Task SaveAsync() => (_writes ??= new GroupCommit(WriteOrClearAsync)).WriteAsync();

    /// <summary>For a call that changed nothing: durable once every change made before it is (an idempotent retry may arrive
    /// while the first call's write is still running).</summary>
    public Task WrittenAsync() => _writes?.WrittenAsync() ?? Task.CompletedTask;

    /// <summary>Starts a write that takes the caller's change without waiting for it; its failure is kept for
    /// <see cref="DurableAsync"/>, which writes again.</summary>
    public void SaveBehind() => _ = IgnoringFailureAsync(SaveAsync());

    /// <summary>Durable once it returns: every change made so far has landed, by the writes asked for so far or, should the
    /// last of them have failed, by one more.</summary>
    public async Task DurableAsync()
    {
        await IgnoringFailureAsync(WrittenAsync());
        if (_lastWriteFailed) await SaveAsync();
    }

    private static async Task IgnoringFailureAsync(Task write)
    {
        try
        {
            await write;
        }
        catch (Exception)
        {
            // kept as _lastWriteFailed
        }
    }

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

    private async Task WriteOrClearAsync()
    {
        _unwritten = false; // this write takes every change made so far
        var count = Count;
        try
        {
            if (count.Live.Count == 0 && count.Parked.Count == 0 && (count.BytesToday == 0 || !count.DayLimited)) await state.ClearStateAsync();
            else
            {
                state.State = Copy(count);
                await state.WriteStateAsync();
            }
            _lastWriteFailed = false;
        }
        catch
        {
            _lastWriteFailed = true;
            throw;
        }
    }

    private static UploadClientState Copy(UploadClientState count) => count with
    {
        Live = new Dictionary<string, CountedUpload>(count.Live, StringComparer.Ordinal),
        Parked = new Dictionary<string, CountedUpload>(count.Parked, StringComparer.Ordinal),
    };
}
