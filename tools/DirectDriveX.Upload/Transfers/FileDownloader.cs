using System.Security.Cryptography;
using DirectDriveX.Upload.Progress;

namespace DirectDriveX.Upload.Transfers;

/// <summary>Streams <c>GET /api/v1/files/{id}</c> to a file, hashing on the way; a SHA-256 the gateway names must match.</summary>
internal sealed class FileDownloader(GatewayClient gateway)
{
    /// <summary>Response headers that may carry the stored file's SHA-256 (hex): on the gateway's answer, or on its redirect
    /// to the store (<see cref="GatewayClient.GetFileAsync"/> keeps them).</summary>
    internal static readonly string[] Sha256Headers = ["X-Content-SHA256", "X-Checksum-SHA256", "X-File-SHA256"];

    public async Task<DownloadResult> DownloadAsync(string fileId, FileInfo destination, Func<long, TransferProgress> progressFor,
        CancellationToken cancellationToken)
    {
        using var response = await gateway.GetFileAsync(fileId, cancellationToken);
        var length = response.Content.Headers.ContentLength;
        using var progress = progressFor(length ?? 0);
        progress.TransferStarted();
        var serverSha256 = Sha256Headers.Select(name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null)
            .FirstOrDefault(value => value is not null);

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var output = new FileStream(destination.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long received = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            received += read;
            progress.Report(received);
        }

        if (length is { } expected && received != expected)
            throw new IOException($"Received {received} bytes, Content-Length said {expected}.");
        progress.TransferStopped();
        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (serverSha256 is not null && !string.Equals(serverSha256, sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Downloaded SHA-256 {sha256}, the gateway says {serverSha256}.");
        return new DownloadResult(fileId, destination.FullName, sha256, received, Math.Round(progress.Elapsed.TotalSeconds, 3),
            Math.Round(progress.TransferTime.TotalSeconds, 3), Math.Round(progress.AverageBytesPerSecond / 1e6, 1), serverSha256);
    }
}
