namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// When a writer's received ranges become commits, chosen once, from what the upload lifecycle asked of the writer
/// (<see cref="CommitTimingPolicy.For"/>). The writer does one thing at a chunk's end by it (<see cref="ChunkEndStep"/>);
/// the lifecycle, not the writer, knows why: a tus body under <c>Upload-Checksum</c> is held, a connection whose client hears
/// of each commit commits each chunk, one whose client hears only of the stored file leaves its last range to the completion.
/// </summary>
public enum CommitTiming
{
    /// <summary>Each chunk's end is committed and recorded as it comes: its client is told of each commit (a WebSocket's
    /// acknowledgements), or the upload's length is not declared yet, so no range is known to be its last.</summary>
    EachChunk,

    /// <summary>Nothing counts before the protocol has verified the whole body (<see cref="UploadSessionHandle.OpenHeldWriterAsync"/>):
    /// chunks go to the store as they fill where it keeps bytes on the node until they are committed, and the session records
    /// them together once the body is verified, or never.</summary>
    HeldUntilVerified,

    /// <summary>Each chunk is committed as it comes but the upload's last range, which no client was told of: the completion
    /// records it (one grain call and one state write fewer).</summary>
    LastWithCompletion,

    /// <summary>Nothing is committed before the request ends: a small file written by the request that started it, whose client
    /// has heard nothing of it yet, is made durable and recorded once, by its completion (or by the writer's end).</summary>
    WholeWithCompletion,
}

/// <summary>What a writer does with a chunk that has just ended (<see cref="CommitTimingPolicy.AtChunkEnd"/>).</summary>
public enum ChunkEndStep
{
    /// <summary>Queued for the committer: made durable in the store and recorded by the session.</summary>
    Commit,

    /// <summary>Kept as the held body's end; nothing goes to the store yet (it holds what the staging file holds).</summary>
    Hold,

    /// <summary>Kept as the held body's end, and sent to the store now (its scratch on the node keeps at most two chunks), not
    /// recorded before the body is verified.</summary>
    HoldAndSend,

    /// <summary>Kept for the completion, which records it with the stored file (or <see cref="StagingWriter.CompleteAsync"/>
    /// commits it when the request ends first).</summary>
    LeaveToCompletion,
}
