using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using DirectDriveX.Upload.Progress;
using DirectDriveX.Upload.Protocol;

namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// Uploads one file in a single <c>POST /api/v1/upload</c> multipart/form-data request (field <c>file</c>), streamed from
/// disk as the connection takes it, hashed on the way; the gateway's answer must name the same SHA-256. When the node
/// leaves mid-file (503 naming the upload it started, its resume token and committed offset), the rest follows as PUT chunks
/// (<see cref="ChunkContinuation"/>); when the request is lost without such an answer, or refused as retryable (503, 1013's
/// HTTP twin), the POST is sent again after a pause (doubling from 250 ms) through the next gateway given.
/// </summary>
internal sealed class MultipartUploader(GatewayClient gateway, UploadSettings settings)
{
    public async Task<UploadResult> UploadAsync(FileInfo file, TransferProgress progress, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await PostAsync(file, progress, attempt - 1, cancellationToken);
            }
            catch (UploadRefusedException refusal) when (refusal.IsTransient && ChunkContinuation.From(refusal.Problem) is { } rest)
            {
                progress.Resumed();
                var via = gateway.GatewayCount > 1 ? gateway.Next() : gateway.BaseAddress;
                progress.Note($"{refusal.Message}; continuing upload {rest.UploadId} from {rest.Offset} as PUT chunks via {via}");
                return await rest.UploadAsync(gateway, settings, file, progress, attempt, cancellationToken);
            }
            catch (Exception e) when (IsRetryable(e, cancellationToken))
            {
                var delay = settings.Reconnect.DelayBefore(attempt)
                    ?? throw new IOException($"Gave up after {settings.Reconnect.MaxAttempts} attempts in a row: {e.Message}", e);
                progress.Resumed();
                var via = gateway.GatewayCount > 1 ? gateway.Next() : gateway.BaseAddress;
                progress.Note($"request lost ({e.GetType().Name}: {e.Message}); sending it again via {via} in {delay.TotalMilliseconds:0} ms");
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private async Task<UploadResult> PostAsync(FileInfo file, TransferProgress progress, int retries, CancellationToken cancellationToken)
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
        }, settings.PauseAt);
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
        JsonElement answer;
        try
        {
            answer = await gateway.PostMultipartAsync(form, cancellationToken);
        }
        finally
        {
            progress.TransferStopped();
        }
        if (observed.BytesRead != file.Length)
            throw new InvalidDataException($"Sent {observed.BytesRead} bytes of {file.Length}.");
        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        return Result(answer, sha256, file.Length, progress, retries);
    }

    /// <summary>The stored file the gateway answered, checked against the file's SHA-256.</summary>
    internal static UploadResult Result(JsonElement answer, string sha256, long bytes, TransferProgress progress, int retries)
    {
        var stored = Text(answer, "sha256");
        if (!string.Equals(stored, sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The gateway stored SHA-256 {stored ?? "(none)"}, the file has {sha256}. Answer: {answer}");
        var fileId = Text(answer, "fileId") ?? Text(answer, "uploadId") ?? Text(answer, "id")
            ?? throw new InvalidDataException($"No file id in the gateway's answer: {answer}");
        progress.Report(bytes);
        return UploadResult.Of(fileId, Text(answer, "node") ?? Text(answer, "nodeName"), sha256, bytes, progress, "multipart", retries);
    }

    /// <summary>A lost or refused connection, a retryable refusal, a timeout: worth sending again.</summary>
    internal static bool IsRetryable(Exception e, CancellationToken cancellationToken) => e switch
    {
        _ when cancellationToken.IsCancellationRequested => false,
        UploadRefusedException refusal => refusal.IsTransient,
        IOException or HttpRequestException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    internal static string? Text(JsonElement answer, string name) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
