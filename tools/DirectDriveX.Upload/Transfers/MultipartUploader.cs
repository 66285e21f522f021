using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using DirectDriveX.Upload.Progress;

namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// Uploads one file in a single <c>POST /api/v1/upload</c> multipart/form-data request (field <c>file</c>), streamed from
/// disk as the connection takes it, hashed on the way; the gateway's answer must name the same SHA-256.
/// </summary>
internal sealed class MultipartUploader(GatewayClient gateway, UploadSettings settings)
{
    public async Task<UploadResult> UploadAsync(FileInfo file, TransferProgress progress, CancellationToken cancellationToken)
    {
        var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Setup is the time until the HTTP stack first reads the body (connection and request headers); the transfer
        // runs from there to the gateway's answer.
        long posting = 0; // when the request starts, below
        var flowing = false;
        await using var observed = new ObservedReadStream(stream, hash, done =>
        {
            if (!flowing)
            {
                flowing = true;
                progress.AddConnectTime(Stopwatch.GetElapsedTime(posting));
                progress.TransferStarted();
            }
            progress.Report(done);
        });
        var part = new StreamContent(observed, 1 << 20);
        part.Headers.ContentType = new MediaTypeHeaderValue(settings.ContentType ?? "application/octet-stream");
        part.Headers.ContentLength = file.Length;
        using var form = new MultipartFormDataContent
        {
            // The size comes first so that the gateway can reserve before the file part arrives.
            { new StringContent(file.Length.ToString(CultureInfo.InvariantCulture)), "size" },
            { part, "file", file.Name },
        };

        posting = Stopwatch.GetTimestamp();
        var answer = await gateway.PostMultipartAsync(form, cancellationToken);
        progress.TransferStopped();
        if (observed.BytesRead != file.Length)
            throw new InvalidDataException($"Sent {observed.BytesRead} bytes of {file.Length}.");
        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        var stored = Text(answer, "sha256");
        if (!string.Equals(stored, sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The gateway stored SHA-256 {stored ?? "(none)"}, the file has {sha256}. Answer: {answer}");
        var fileId = Text(answer, "fileId") ?? Text(answer, "uploadId") ?? Text(answer, "id")
            ?? throw new InvalidDataException($"No file id in the gateway's answer: {answer}");
        return UploadResult.Of(fileId, Text(answer, "node") ?? Text(answer, "nodeName"), sha256, file.Length, progress, "multipart", 0);
    }

    private static string? Text(JsonElement answer, string name) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
