namespace DirectDriveX.Node.DataPlane;

/// <summary>When a writer commits (<see cref="CommitTiming"/>) and what it does at each chunk's end: pure, so that the choices
/// the upload lifecycle makes for its protocols are read and tested in one place, not as flags spread through the writer.</summary>
public static class CommitTimingPolicy
{
    /// <summary>The largest file committed only when its request ends. Its client cannot resume before the answer names the
    /// upload in any case; the bound keeps a large file's pages dropped chunk by chunk after their fsync and its lease renewed
    /// by its commits.</summary>
    public const long WholeAtCompletionBytes = 1024 * 1024;

    /// <param name="holdsUntilVerified">The lifecycle asked for a held body (<see cref="UploadSessionHandle.OpenHeldWriterAsync"/>).</param>
    /// <param name="acknowledgesEachCommit">The client is told of each commit as it lands.</param>
    /// <param name="startedWithItsBody">The session was started by the request that carries its bytes: its client has heard
    /// nothing of the upload yet.</param>
    /// <param name="lengthDeferred">The upload's length is not declared yet.</param>
    /// <param name="size">The upload's length (or the most it may become).</param>
    /// <param name="chunkSize">The upload's chunk size.</param>
    /// <param name="storeKeepsBytesUntilCommitted">The store keeps bytes on the node until they are committed (an object
    /// store's scratch, bounded to two chunks per upload).</param>
    public static CommitTiming For(bool holdsUntilVerified, bool acknowledgesEachCommit, bool startedWithItsBody, bool lengthDeferred,
        long size, int chunkSize, bool storeKeepsBytesUntilCommitted)
    {
        if (holdsUntilVerified) return CommitTiming.HeldUntilVerified;
        if (acknowledgesEachCommit || lengthDeferred) return CommitTiming.EachChunk;
        var small = startedWithItsBody && size <= WholeAtCompletionBytes && (!storeKeepsBytesUntilCommitted || size <= 2L * chunkSize);
        return small ? CommitTiming.WholeWithCompletion : CommitTiming.LastWithCompletion;
    }

    /// <summary>What a writer of <paramref name="timing"/> does with the chunk that has just ended at <paramref name="end"/>.</summary>
    public static ChunkEndStep AtChunkEnd(CommitTiming timing, long end, long size, bool storeKeepsBytesUntilCommitted) => timing switch
    {
        CommitTiming.HeldUntilVerified => storeKeepsBytesUntilCommitted ? ChunkEndStep.HoldAndSend : ChunkEndStep.Hold,
        CommitTiming.WholeWithCompletion => ChunkEndStep.LeaveToCompletion,
        CommitTiming.LastWithCompletion when end == size => ChunkEndStep.LeaveToCompletion,
        _ => ChunkEndStep.Commit,
    };

    /// <summary>Whether a writer of <paramref name="timing"/> commits what it received when its client goes quiet mid-chunk
    /// (<see cref="StagingWriter.QuietCommitInterval"/>): every writer but a held one, whose bytes count only once verified.</summary>
    public static bool CommitsWhenQuiet(CommitTiming timing) => timing != CommitTiming.HeldUntilVerified;
}
