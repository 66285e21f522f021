using System.Text.Json.Serialization;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http;

/// <summary>GET /api/v1/uploads/{id}</summary>
public sealed record UploadStatusResponse(
    string UploadId, string State, long CommittedOffset, long Size, long ReservedBytes, int ChunkSize, string? Node,
    string? FileName, string? FileId, string? FailureReason, string? FailureMessage)
{
    public static UploadStatusResponse From(UploadStatus s) => new(
        s.UploadId, s.State.ToString(), s.CommittedOffset, s.Size, s.ReservedBytes, s.ChunkSize, s.LeaseNodeName ?? s.LeaseNodeId, s.FileName,
        s.FileId, s.Failure?.Reason.ToString(), s.Failure?.Message);
}

/// <summary>A completed, stored file.</summary>
/// <param name="DeleteToken">Only in the answer that completed a keyless client's upload, once: what authorises
/// <c>DELETE /api/v1/files/{id}</c> (header <c>X-Delete-Token</c>, or <c>?deleteToken=</c>).</param>
public sealed record FileResponse(string FileId, string FileName, long Size, string Sha256, string ContentType, DateTimeOffset CreatedAt, string Node, string DownloadUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeleteToken = null)
{
    public static FileResponse From(StoredFileRecord r, string? deleteToken = null) =>
        new(r.FileId, r.FileName, r.Size, r.Sha256, r.ContentType, r.CreatedAt, r.StoredByNode, $"/api/v1/files/{r.FileId}", deleteToken);
}
