using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// What a live session takes a commit and a completion on (pure: the session's state and the facts of the call in, a refusal
/// out). A commit comes from the data plane of the node the session is active on, in this activation's fencing epoch, and
/// continues the committed bytes exactly, within the upload's length, in parts that fit the ones recorded; a completion needs
/// the length declared, every byte committed, and the SHA-256 the client declared, if it declared one.
/// </summary>
internal static class CommitRules
{
    /// <summary>Why a writer may not send bytes to the store for <paramref name="session"/> any more (it is on another node than
    /// the one the session is active on, or of an earlier epoch), or null.</summary>
    public static UploadRefusal? WriterRefusal(string uploadId, UploadSessionState session, bool writerIsHere, bool epochIsCurrent, string nodeName)
    {
        if (!writerIsHere)
            return new(RefusalReason.NodeUnavailable, $"Upload {uploadId} is now served by node {nodeName}; reconnect to continue from {session.CommittedOffset}.");
        return epochIsCurrent ? null : Superseded(uploadId, session.CommittedOffset);
    }

    /// <summary>Why a commit of <paramref name="length"/> bytes at <paramref name="offset"/> cannot be taken into
    /// <paramref name="session"/>, or null, with the parts that hold the committed bytes once it is.</summary>
    /// <param name="writerIsHere">The committing data plane is the one of the node the session is active on.</param>
    /// <param name="epochIsCurrent">The commit is of this activation's fencing epoch.</param>
    /// <param name="nodeName">The name of the node the session is active on (what a writer elsewhere is told).</param>
    public static UploadRefusal? CommitRefusal(string uploadId, UploadSessionState session, bool writerIsHere, bool epochIsCurrent, string nodeName,
        long offset, long length, StagedCommit staged, out StagedPart[] parts)
    {
        parts = [];
        var committed = session.CommittedOffset;
        if (WriterRefusal(uploadId, session, writerIsHere, epochIsCurrent, nodeName) is { } writer) return writer;
        if (length <= 0) return new(RefusalReason.InvalidRequest, "A commit must cover at least one byte.");
        if (offset < 0 || offset + length > session.Size)
            return session.LengthDeferred
                ? new(RefusalReason.FileTooLarge, $"Bytes [{offset}, {offset + length}) run past {session.Size} bytes, the largest file this upload may become.")
                : PastDeclaredSize.Refusal(session.Size, offset, length);
        if (offset != committed)
            return new(RefusalReason.OffsetMismatch, $"Chunk at offset {offset}; the upload continues at {committed}.", ExpectedOffset: committed);
        try
        {
            parts = StagedLayout.AfterCommit(session.Parts, offset, offset + length, staged.Parts, PartPaging.TailStart(session.Pages));
        }
        catch (ArgumentException e)
        {
            return new(RefusalReason.InvalidRequest, $"The store's parts do not fit the commit: {e.Message}");
        }
        if (session.StoreUploadId is { } storeUploadId && staged.StoreUploadId is { } other && storeUploadId != other)
            return new(RefusalReason.InvalidRequest, $"The commit names the store's upload {other}; the session's is {storeUploadId}.");
        return null;
    }

    /// <summary>Why <paramref name="session"/> cannot complete yet (its length undeclared, bytes missing), or null.</summary>
    public static UploadRefusal? IncompleteRefusal(UploadSessionState session)
    {
        var committed = session.CommittedOffset;
        if (session.LengthDeferred)
            return new(RefusalReason.Incomplete,
                $"{committed} bytes received and the upload's length is not declared yet: declare it to complete it.", ExpectedOffset: committed);
        return committed == session.Size ? null
            : new(RefusalReason.Incomplete, $"{committed} of {session.Size} bytes received; send the rest from offset {committed}.", ExpectedOffset: committed);
    }

    /// <summary>The refusal when the received bytes' SHA-256 (lowercase hex) is not the one the client declared, or null.</summary>
    public static UploadRefusal? HashRefusal(string? declaredSha256, string receivedSha256) =>
        declaredSha256 is { } expected && expected != receivedSha256
            ? new(RefusalReason.HashMismatch, $"SHA-256 of the received bytes is {receivedSha256}; the client declared {expected}.")
            : null;

    /// <summary>What a writer, commit or completion of an epoch other than the activation's is told: the session is held
    /// elsewhere now, and a reconnect reaches it.</summary>
    public static UploadRefusal Superseded(string uploadId, long committed) => new(RefusalReason.NodeUnavailable,
        $"Upload {uploadId} has been taken over by a newer writer; reconnect to continue from {committed}.");
}
