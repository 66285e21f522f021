using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Node.DataPlane;

namespace DirectDriveX.Node.Concatenation;

/// <summary>A final upload created before its partial uploads were complete, as its URL sees it: opened by its own token,
/// looked at (its length, its offset once concatenated; a look starts a copy that was cut short), terminated.</summary>
public sealed partial class UploadConcatenation
{
    /// <summary>The final upload <paramref name="finalId"/> when <paramref name="token"/> authorises it; a NotFound refusal
    /// when there is none under that id (the caller's own refusal for an unknown upload then applies).</summary>
    public async Task<TusFinalOpening> OpenFinalAsync(string finalId, string? token) =>
        UploadIds.IsWellFormed(finalId)
            ? await grains.ReferenceTo<ITusFinalUploadGrain>(finalId).Open(token)
            : new TusFinalOpening(null, new UploadRefusal(RefusalReason.NotFound, $"No upload {finalId}."));

    /// <summary>Termination: the final upload ends (refused as aborted from now on); its copy, when started, is aborted, and
    /// its stored file, when done, deleted (its URL authorises that, as for any completed upload).</summary>
    public async Task TerminateFinalAsync(TusFinalUpload final)
    {
        await grains.ReferenceTo<ITusFinalUploadGrain>(final.SessionId).Terminate();
        var session = grains.ReferenceTo<IUploadSessionGrain>(final.SessionId);
        var status = (await session.Open(null, requireToken: false)).Status;
        if (status is { State: UploadState.Completed, FileId: { } fileId }) await grains.ReferenceTo<IStoredFileGrain>(fileId).Delete();
        else if (status is { } live && !live.State.IsFinal()) await session.Abort();
    }

    /// <summary>What final upload <paramref name="final"/> is now: concatenated (its length and offset, equal), ended (the
    /// refusal), or waiting (no offset; the length once every partial upload's is known). A partial upload that ended without
    /// completing ends the final upload too. Every partial upload complete and no copy done: one that was cut short (or never
    /// told) starts (again) on this node.</summary>
    public async Task<FinalUploadView> ViewFinalAsync(TusFinalUpload final)
    {
        var session = (await grains.ReferenceTo<IUploadSessionGrain>(final.SessionId).Open(null, requireToken: false)).Status;
        if (session is { State: UploadState.Completed } done)
        {
            if (done.FileId is null || await plane.StoredFileAsync(done.FileId) is null)
                return FinalUploadView.Refused(new UploadRefusal(RefusalReason.NotFound, $"Upload {final.SessionId} is complete, and its file no longer exists."));
            return new FinalUploadView(final, null, done.Size, done.Size);
        }
        if (session is { } ended && ended.State.IsFinal()) return FinalUploadView.Refused(UploadSessionHandle.RefusalFor(ended));

        long? length = 0;
        var complete = true;
        foreach (var partialId in final.PartialIds)
        {
            var part = await plane.OpenStatusAsync(partialId, null, requireToken: false);
            if (part.Refusal is { } gone) return FinalUploadView.Refused(gone with { Message = $"Partial upload {partialId}: {gone.Message}" });
            var status = part.Status!;
            if (status.State.IsFinal() && status.State != UploadState.Completed)
            {
                var end = UploadSessionHandle.RefusalFor(status);
                return FinalUploadView.Refused(end with { Message = $"Partial upload {partialId}: {end.Message}" });
            }
            complete &= status.State == UploadState.Completed;
            length = status.LengthDeferred ? null : length + status.Size;
        }
        if (complete) Kick(final.SessionId);
        return new FinalUploadView(final, null, length, null);
    }
}
