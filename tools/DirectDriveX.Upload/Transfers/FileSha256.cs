using System.Security.Cryptography;

namespace DirectDriveX.Upload.Transfers;

/// <summary>The SHA-256 of a file in lower-case hex, read sequentially in large blocks (never whole into memory).</summary>
internal static class FileSha256
{
    public static async Task<string> OfAsync(FileInfo file, Action<long>? progress, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long done = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            done += read;
            progress?.Invoke(done);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
