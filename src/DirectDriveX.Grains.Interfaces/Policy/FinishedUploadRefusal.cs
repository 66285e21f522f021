namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// What a client is told when it reaches an upload that has finished: the one table, used by the session grain, the data
/// plane and every protocol. A failure the session recorded (an expiry's or a failure's own refusal) wins over the generic
/// words.
/// </summary>
public static class FinishedUploadRefusal
{
    /// <summary>The refusal for <paramref name="state"/>, or null when the upload is live (reserved or receiving).</summary>
    public static UploadRefusal? For(string uploadId, UploadState state, UploadRefusal? failure) => state switch
    {
        UploadState.Completed => new UploadRefusal(RefusalReason.InvalidState, $"Upload {uploadId} is already completed."),
        UploadState.Aborted => new UploadRefusal(RefusalReason.Aborted, $"Upload {uploadId} was aborted; start a new upload."),
        UploadState.Expired => failure ?? new UploadRefusal(RefusalReason.Expired, $"Upload {uploadId} expired without data; start a new upload."),
        UploadState.Failed => failure ?? new UploadRefusal(RefusalReason.InvalidState, $"Upload {uploadId} failed; start a new upload."),
        _ => null,
    };

    /// <summary>The refusal for a finished <paramref name="status"/>, or null when it is live.</summary>
    public static UploadRefusal? For(UploadStatus status) => For(status.UploadId, status.State, status.Failure);
}
