using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Protocol;

/// <summary>POST /api/v1/uploads</summary>
public sealed record CreateUploadRequest(string? FileName, long? Size, string? ContentType, string? Sha256);

/// <summary>201 answer to <see cref="CreateUploadRequest"/>.</summary>
public sealed record CreateUploadResponse(
    string UploadId, string ResumeToken, string Node, long Size, long ReservedBytes, int ChunkSize, int MaxChunksInFlight,
    string WebSocketUrl, string StatusUrl);

/// <summary>GET /api/v1/uploads/{id}</summary>
public sealed record UploadStatusResponse(
    string UploadId, string State, long CommittedOffset, long Size, long ReservedBytes, int ChunkSize, string? Node,
    string? FileName, string? FileId, string? FailureReason, string? FailureMessage)
{
    public static UploadStatusResponse From(UploadStatus s) => new(
        s.UploadId, s.State.ToString(), s.CommittedOffset, s.Size, s.ReservedBytes, s.ChunkSize, s.NodeId, s.FileName,
        s.FileId, s.Failure?.Reason.ToString(), s.Failure?.Message);
}

/// <summary>A completed, stored file.</summary>
public sealed record FileResponse(string FileId, string FileName, long Size, string Sha256, string ContentType, DateTimeOffset CreatedAt, string Node, string DownloadUrl)
{
    public static FileResponse From(StoredFileRecord r) =>
        new(r.FileId, r.FileName, r.Size, r.Sha256, r.ContentType, r.CreatedAt, r.StoredByNode, $"/api/v1/files/{r.FileId}");
}

/// <summary>One node of GET /api/v1/cluster/nodes.</summary>
public sealed record NodeResponse(
    string Node, string NodeId, long Total, long Available, long Reserve, long Ceiling, long Leased, long Headroom,
    int Sessions, int BuffersInUse, long BufferBytesInUse, int BufferCapacity, DateTimeOffset TakenAt)
{
    public static NodeResponse From(MemoryBudgetSnapshot s) => new(
        s.NodeName, s.NodeId, s.TotalBytes, s.AvailableBytes, s.ReserveBytes, s.CeilingBytes, s.LeasedBytes, s.HeadroomBytes,
        s.LeaseCount, s.BuffersInUse, s.BufferBytesInUse, s.BufferCapacity, s.TakenAt);
}

/// <summary>Legacy drop-in: POST /api/v1/upload/initiate (snake_case on the wire).</summary>
public sealed record LegacyInitiateRequest(string? Filename, long? Size, string? ContentType);

public sealed record LegacyInitiateResponse(string FileId, string GdriveUploadUrl, string Filename, string SafeFilenameForDisplay);
