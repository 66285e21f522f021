using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>The upload's last range, durable in the store and not yet recorded by the session: its completion records it
/// (<see cref="IUploadSessionGrain.CommitAndComplete"/>).</summary>
internal sealed record FinalRange(long Offset, long Length, StagedCommit Staged)
{
    public long End => Offset + Length;
}

public sealed partial class StagingWriter
{
    /// <summary>
    /// <see cref="CompleteAsync"/> for a writer whose upload is stored next (its bytes all received): every earlier commit lands
    /// as usual, but the last range, which no client was told of (a writer without per-commit acknowledgements), is made
    /// durable in the store and returned instead of committed, so that the completion records it with its own state write
    /// (issue 19: one grain call and one state write fewer per upload whose rest comes in one request). A store may leave its
    /// fsync to the publishing, which runs it beside the record's (<see cref="IStagingFile.CommitForPublishingAsync"/>). Null when there is no
    /// such range (the last bytes were committed already, or the writer acknowledges each commit): complete as before. The
    /// writer takes no more bytes after.
    /// </summary>
    internal async Task<FinalRange?> CompleteForStoringAsync()
    {
        var final = await EndCommitsAsync(queueLastRange: false);
        var committed = CommittedOffset;
        if (final <= committed) return null;
        try
        {
            var started = _clock.GetTimestamp();
            var staged = await _file.CommitForPublishingAsync(committed, final, CancellationToken.None); // durable by the publishing
            _metrics.RecordChunkWrite(_clock.GetElapsedTime(started));
            return new FinalRange(committed, final - committed, staged);
        }
        catch (IOException e)
        {
            throw Fail(StorageRefusal(e, $"This node could not make the bytes at {committed} durable: {e.Message}"));
        }
    }

    /// <summary>The session recorded <paramref name="final"/> with the completion.</summary>
    internal void Recorded(FinalRange final)
    {
        Volatile.Write(ref _parts, StagedLayout.AfterCommit(Parts, final.Offset, final.End, final.Staged.Parts, _partsFrom));
        Volatile.Write(ref _storeUploadId, StoreUploadId ?? final.Staged.StoreUploadId);
        Interlocked.Exchange(ref _committed, final.End);
    }
}
