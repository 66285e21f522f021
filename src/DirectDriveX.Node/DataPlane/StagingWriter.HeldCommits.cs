using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>A writer that holds its commits (a tus body under <c>Upload-Checksum</c>): its bytes go to the staging file and,
/// on an object store, to the store as chunks fill, but the session records nothing before the body is verified.</summary>
public sealed partial class StagingWriter
{
    /// <summary>From now on, bytes are written to the staging file at their offsets as they arrive, but nothing is committed
    /// until <see cref="CompleteAsync"/>; <see cref="DiscardAsync"/> gives them up instead. For a protocol that must verify a
    /// request's bytes (a checksum over the whole body) before any of them count: uncommitted bytes past the committed offset
    /// are overwritten by the next writer of the epoch, and a later epoch writes a staging file of its own, so discarded bytes are
    /// never part of a stored file. On an object store each chunk still goes to the store as it fills (the scratch keeps at most
    /// two), and the session records them all at the end: parts and blocks it never records are overwritten by the epoch's next
    /// writer or dropped with the upload. Before each such send the writer asks the session whether its epoch still holds
    /// (<see cref="IUploadSessionGrain.CheckWriter"/>), so a writer taken over by another node's epoch sends at most one more
    /// commit's S3 parts, in the part numbers a takeover leaves unused.</summary>
    public void HoldCommits()
    {
        if (ReceivedOffset != CommittedOffset)
            throw new InvalidOperationException("Commits can only be held before the writer has taken bytes.");
        _holding = true;
    }

    /// <summary>Ends a writer that holds its commits (<see cref="HoldCommits"/>) without committing anything it received: the
    /// committed offset stays where it was.</summary>
    public async Task DiscardAsync()
    {
        if (!_holding) throw new InvalidOperationException("Only a writer that holds its commits can discard them.");
        _completed = true;
        _heldEnd = -1;
        _commits.Writer.TryComplete();
        await WaitCheckingInAsync(_committer, CancellationToken.None);
        _held.Clear(); // sent to the store, never recorded
        await _file.DiscardAsync(CommittedOffset, CancellationToken.None);
    }

    /// <summary>A verified held body: the session records everything of it the store holds, as one commit.</summary>
    private async Task RecordHeldAsync()
    {
        if (_held.Count == 0 || _failure is not null) return;
        var from = CommittedOffset;
        var end = Interlocked.Read(ref _stored);
        var staged = new StagedCommit([.. _held.SelectMany(commit => commit.Parts)], _held.Select(commit => commit.StoreUploadId).FirstOrDefault(id => id is not null));
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
