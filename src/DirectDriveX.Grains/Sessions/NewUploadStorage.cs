using DirectDriveX.Grains.Interfaces;
using Orleans.Storage;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// The sessions' grain storage as a session's activation reads it: an activation caused by the marked first start of a new
/// upload id (<see cref="NewUploadMark"/>) starts from an empty record without asking the storage, which has none to give;
/// every other read, and every write and clear, goes to <paramref name="inner"/> (whose version check still refuses a write
/// over a record that exists).
/// </summary>
public sealed class NewUploadStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>The storage name a session's record is read and written through (<see cref="UploadSessionGrain"/>).</summary>
    public const string Name = "uploads-sessions";

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName != UploadSessionGrain.StateName || !NewUploadMark.IsNew(grainId.Key.ToString()!))
            return inner.ReadStateAsync(stateName, grainId, grainState);
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
