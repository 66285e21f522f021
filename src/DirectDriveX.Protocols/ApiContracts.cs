using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Protocols;

/// <summary>GET /api/v1/uploads/{id}</summary>
public sealed record UploadStatusResponse(
    string UploadId, string State, long CommittedOffset, long Size, long ReservedBytes, int ChunkSize, string? Node,
    string? FileName, string? FileId, string? FailureReason, string? FailureMessage)
{
    public static UploadStatusResponse From(UploadStatus s) => new(
        s.UploadId, s.State.ToString(), s.CommittedOffset, s.Size, s.ReservedBytes, s.ChunkSize, s.NodeName ?? s.NodeId, s.FileName,
        s.FileId, s.Failure?.Reason.ToString(), s.Failure?.Message);
}

/// <summary>A completed, stored file.</summary>
public sealed record FileResponse(string FileId, string FileName, long Size, string Sha256, string ContentType, DateTimeOffset CreatedAt, string Node, string DownloadUrl)
{
    public static FileResponse From(StoredFileRecord r) =>
        new(r.FileId, r.FileName, r.Size, r.Sha256, r.ContentType, r.CreatedAt, r.StoredByNode, $"/api/v1/files/{r.FileId}");
}
