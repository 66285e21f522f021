using DirectDriveX.Grains.Clients;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Clients;

/// <summary>A silo's storage of clients' records whose next write, once held (<see cref="HoldNext"/>), never lands: it is
/// left unanswered, as a write is when the silo writing it dies before its storage answered; or whose next writes fail
/// (<see cref="FailNext"/>), as they do while the storage is down. Every other call goes to <paramref name="inner"/>.</summary>
public sealed class FaultyClientWrites(IGrainStorage inner) : IGrainStorage
{
    private TaskCompletionSource? _held;
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failing;
    private int _failed;

    /// <summary>Completes when a client's write is being held.</summary>
    public Task Holding => _holding.Task;

    /// <summary>How many writes failed so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Every upload a record that landed counted live.</summary>
    public IReadOnlyCollection<string> LandedLive { get { lock (_landedLive) return [.. _landedLive]; } }

    private readonly HashSet<string> _landedLive = new(StringComparer.Ordinal);

    public void HoldNext() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void FailNext(int writes) => Volatile.Write(ref _failing, writes);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName != UploadClientGrain.StateName) return inner.WriteStateAsync(stateName, grainId, grainState);
        if (Interlocked.Exchange(ref _held, null) is { } held)
        {
            _holding.TrySetResult();
            return held.Task; // never answered: its silo dies holding it
        }
        if (Interlocked.Decrement(ref _failing) < 0) return WriteAsync(grainState);
        Interlocked.Increment(ref _failed);
        return Task.FromException(new IOException("The client's record was not written (the test's storage is down)."));

        async Task WriteAsync(IGrainState<T> written)
        {
            var live = written.State is UploadClientState count ? count.Live.Keys.ToArray() : [];
            await inner.WriteStateAsync(stateName, grainId, written);
            lock (_landedLive) _landedLive.UnionWith(live);
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
