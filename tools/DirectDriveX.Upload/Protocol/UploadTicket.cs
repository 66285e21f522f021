namespace DirectDriveX.Upload.Protocol;

/// <summary>The gateway's answer to <c>POST /api/v1/uploads</c>: where the session lives and how to stream to it.</summary>
internal sealed record UploadTicket(
    string UploadId,
    string ResumeToken,
    string? Node,
    long ReservedBytes,
    int ChunkSize,
    string? WebSocketUrl,
    int? MaxChunksInFlight)
{
    /// <summary>Bytes the client may have sent but not yet seen acknowledged: the session's reservation, at least one chunk.</summary>
    public long WindowBytes =>
        Math.Max(ChunkSize, MaxChunksInFlight is > 0 ? Math.Min(ReservedBytes, (long)MaxChunksInFlight.Value * ChunkSize) : ReservedBytes);
}
