namespace DirectDriveX.Upload.Transfers;

/// <summary>What an upload prints on stdout: where the file went and proof it arrived whole.</summary>
internal sealed record UploadResult(string FileId, string? Node, string Sha256, long Bytes, double Seconds, string Mode, int Reconnects);
