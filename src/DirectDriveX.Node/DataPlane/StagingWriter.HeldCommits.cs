using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>A writer that holds its commits (a tus body under <c>Upload-Checksum</c>): its bytes go to the staging file and,
/// on an object store, to the store as chunks fill, but the session records nothing before the body is verified.</summary>
public sealed partial class StagingWriter
{
    /// <summary>Ends a writer that holds its commits (<see cref="UploadSessionHandle.OpenHeldWriterAsync"/>) without committing anything it received: the
    /// committed offset stays where it was.</summary>
    public async Task DiscardAsync()
    {
        if (!Holding) throw new InvalidOperationException("Only a writer that holds its commits can discard them.");
        _completed = true;
        _heldEnd = -1;
        _commits.Writer.TryComplete();
        await WaitCheckingInAsync(CommitterOrNone, CancellationToken.None);
        _held.Clear(); // sent to the store, never recorded
        await _file.DiscardAsync(CommittedOffset, CancellationToken.None);
    }

    /// <summary>A verified held body: the session records everything of it the store holds, as one commit.</summary>
    private async Task RecordHeldAsync()
    {
        if (_held.Count == 0 || _failure is not null) return;
        var from = CommittedOffset;
        var end = Interlocked.Read(ref _stored);
        var staged = new StagedCommit([.. _held.SelectMany(commit => commit.Parts)], _held.Select(commit => commit.StoreUploadId).FirstOrDefault(id => id is not null),
            _held[^1].ReplaceableFrom);
        _held.Clear();
        try
        {
            await RecordAsync(from, end, staged, _clock.GetTimestamp());
        }
        catch (Exception e)
        {
            FailCommit(e, from);
        }
    }
}
