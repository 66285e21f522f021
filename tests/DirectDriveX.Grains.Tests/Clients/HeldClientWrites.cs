using DirectDriveX.Grains.Clients;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Clients;

/// <summary>A silo's storage of clients' records whose next write, once armed (<see cref="Arm"/>), never lands: it is
/// held, unanswered, as a write is when the silo writing it dies before its storage answered. Every other call goes to
/// <paramref name="inner"/>.</summary>
public sealed class HeldClientWrites(IGrainStorage inner) : IGrainStorage
{
    private TaskCompletionSource? _armed;
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a client's write is being held.</summary>
    public Task Holding => _holding.Task;

    public void Arm() => _armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName != UploadClientGrain.StateName || Interlocked.Exchange(ref _armed, null) is not { } held)
            return inner.WriteStateAsync(stateName, grainId, grainState);
        _holding.TrySetResult();
        return held.Task; // never answered: its silo dies holding it
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
