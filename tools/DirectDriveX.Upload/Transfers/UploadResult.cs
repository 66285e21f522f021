namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// What an upload prints on stdout: where the file went and proof it arrived whole. <see cref="Seconds"/> is the whole
/// run (hashing included); <see cref="MegabytesPerSecond"/> is the bytes over <see cref="TransferSeconds"/>, the time
/// data flowed; <see cref="SetupSeconds"/> is creating the upload and opening its connections.
/// </summary>
internal sealed record UploadResult(string FileId, string? Node, string Sha256, long Bytes, double Seconds, double TransferSeconds,
    double SetupSeconds, double MegabytesPerSecond, string Mode, int Reconnects)
{
    public static UploadResult Of(string fileId, string? node, string sha256, long bytes, Progress.TransferProgress progress, string mode,
        int reconnects) =>
        new(fileId, node, sha256, bytes, Math.Round(progress.Elapsed.TotalSeconds, 3), Math.Round(progress.TransferTime.TotalSeconds, 3),
            Math.Round(progress.SetupTime.TotalSeconds, 3), Math.Round(progress.AverageBytesPerSecond / 1e6, 1), mode, reconnects);
}
