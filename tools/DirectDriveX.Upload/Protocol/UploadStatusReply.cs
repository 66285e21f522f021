namespace DirectDriveX.Upload.Protocol;

/// <summary>The gateway's answer to <c>GET /api/v1/uploads/{id}</c>: enough to know where to resume.</summary>
internal sealed record UploadStatusReply(string UploadId, string State, long CommittedOffset, long Size)
{
    public bool IsCompleted => string.Equals(State, "Completed", StringComparison.OrdinalIgnoreCase);
}
