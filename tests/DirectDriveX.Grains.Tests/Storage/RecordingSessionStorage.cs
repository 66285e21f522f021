using System.Collections.Concurrent;
using DirectDriveX.Grains.Sessions;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>A session's grain storage that notes, for every session record written, how many pages it listed (what a commit
/// writes besides its tail), and the name of every record written beside it. Every call goes to <paramref name="inner"/>.</summary>
public sealed class RecordingSessionStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>Per session record written, in order: how many pages it listed.</summary>
    public ConcurrentQueue<int> SessionWrites { get; } = new();

    /// <summary>The names of the records written other than session records.</summary>
    public ConcurrentQueue<string> PageWrites { get; } = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.State is UploadSessionState session) SessionWrites.Enqueue(session.Pages.Length);
        else PageWrites.Enqueue(stateName);
        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
