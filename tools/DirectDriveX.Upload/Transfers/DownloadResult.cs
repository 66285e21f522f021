namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// What a download prints on stdout; <see cref="ServerSha256"/> is the gateway's X-Content-SHA256 when it sent one.
/// <see cref="MegabytesPerSecond"/> is the bytes over <see cref="TransferSeconds"/> (the body), the request apart.
/// </summary>
internal sealed record DownloadResult(string FileId, string Path, string Sha256, long Bytes, double Seconds, double TransferSeconds,
    double MegabytesPerSecond, string? ServerSha256);
