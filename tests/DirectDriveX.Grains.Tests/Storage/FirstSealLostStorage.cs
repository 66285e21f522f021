using DirectDriveX.Grains.Sessions;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>A session's grain storage whose first write of a session record that lists a sealed page fails, once armed
/// (<see cref="Armed"/>): what a storage that lost the write looks like to the session (a Redis failover, a timeout). The
/// page's own record, written before, stays. Every other call goes to <paramref name="inner"/>.</summary>
public sealed class FirstSealLostStorage(IGrainStorage inner) : IGrainStorage
{
    public volatile bool Armed;

    /// <summary>The session record whose write was lost, once one was.</summary>
    public UploadSessionState? Lost { get; private set; }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Armed && stateName == UploadSessionGrain.StateName && grainState.State is UploadSessionState { Pages.Length: > 0 } session)
        {
            Armed = false;
            Lost = session;
            throw new IOException("The session's record was not written (the test's storage lost it).");
        }
        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
