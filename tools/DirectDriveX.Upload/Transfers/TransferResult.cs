namespace DirectDriveX.Upload.Transfers;

/// <summary>What an upload printed on stdout: where the file went and proof it arrived whole.</summary>
internal sealed record UploadResult(string FileId, string? Node, string Sha256, long Bytes, double Seconds, string Mode, int Reconnects);

/// <summary>What a download printed on stdout.</summary>
internal sealed record DownloadResult(string FileId, string Path, string Sha256, long Bytes, double Seconds, string? ServerSha256);
