using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

public sealed partial class UploadSessionGrain
{
    /// <summary>
    /// The last commit and the completion in one call (issue 19): one grain call and one state write fewer per upload whose
    /// rest arrives in one request. What it costs nothing of: the client hears of these bytes only in the answer to the
    /// completion, which is given after the Completed state (with this commit in it) is written, so no byte is acknowledged
    /// before it is recorded; a completion that is refused writes the commit before it answers (unless the session failed),
    /// so completing again finds every byte. The lease is not renewed first, as a commit would: the completion releases it
    /// in this same call. A lease held on another node, or a parked session, is dealt with as a commit does.
    /// </summary>
    public async Task<CompletionResult> CommitAndComplete(int epoch, long offset, long length, string writerNodeId, StagedCommit staged, string sha256)
    {
        await ExpireIfOverdueAsync();
        if (S.State == UploadState.Completed) return new CompletionResult(S.File, null); // its answer was lost: the same file
        if (CommitRefusal(epoch, offset, length, writerNodeId, staged, out var parts) is { } refused) return new CompletionResult(null, refused);
        if ((S.State == UploadState.Parked || S.NodeId != HostNodeId)
            && await (S.State == UploadState.Parked ? ResumeAsync() : EnsureLeaseAsync()) is { } noLease)
            return new CompletionResult(null, noLease);
        RecordCommit(epoch, offset, length, parts, staged);
        var completion = await Complete(epoch, sha256);
        if (completion.File is null && !S.State.IsFinal()) await WriteFencedStateAsync();
        return completion;
    }
}
