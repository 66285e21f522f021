using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;

namespace DirectDriveX.Gateway.Protocol;

/// <summary>POST /api/v1/uploads</summary>
public sealed record CreateUploadRequest(string? FileName, long? Size, string? ContentType, string? Sha256);

/// <summary>201 answer to <see cref="CreateUploadRequest"/>.</summary>
/// <param name="File">An empty file is stored as its upload is created: its record (absent otherwise).</param>
public sealed record CreateUploadResponse(
    string UploadId, string ResumeToken, string Node, long Size, long ReservedBytes, int ChunkSize, int MaxChunksInFlight,
    string WebSocketUrl, string StatusUrl,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] FileResponse? File = null);

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
