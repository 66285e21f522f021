namespace DirectDriveX.Upload.Protocol;

/// <summary>Body of <c>POST /api/v1/uploads</c>.</summary>
internal sealed record CreateUploadRequest(string FileName, long Size, string? ContentType, string? Sha256);
