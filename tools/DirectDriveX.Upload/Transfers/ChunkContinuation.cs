using System.Net.Http.Headers;
using System.Text.Json;
using DirectDriveX.Upload.Progress;

namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// The rest of an upload the server started from a multipart request and kept when its node left mid-file: sent as one
/// <c>PUT /api/v1/uploads/{id}/chunks?offset=N</c> from the committed offset, to wherever the session lives next. A lost
/// or retryable answer is followed, after a pause (doubling from 250 ms) and through the next gateway given, by the
/// upload's status (<c>GET /api/v1/uploads/{id}</c>) and a PUT from its committed offset.
/// </summary>
internal sealed record ChunkContinuation(string UploadId, string ResumeToken, long Offset)
{
    /// <summary>What a draining node's 503 names: <c>uploadId</c>, <c>resumeToken</c> and <c>expectedOffset</c>; null
    /// when the answer names no upload.</summary>
    public static ChunkContinuation? From(JsonElement? problem) =>
        problem is { ValueKind: JsonValueKind.Object } p
        && MultipartUploader.Text(p, "uploadId") is { } id && MultipartUploader.Text(p, "resumeToken") is { } token
        && p.TryGetProperty("expectedOffset", out var offset) && offset.ValueKind == JsonValueKind.Number
            ? new ChunkContinuation(id, token, offset.GetInt64())
            : null;

    public async Task<UploadResult> UploadAsync(GatewayClient gateway, UploadSettings settings, FileInfo file, TransferProgress progress,
        int retries, CancellationToken cancellationToken)
    {
        // The file's SHA-256, to check the stored file's against, is computed while the rest is sent.
        var hashing = Task.Run(() => FileSha256.OfAsync(file, null, cancellationToken), cancellationToken);
        var offset = Offset;
        for (var failures = 1; ; failures++)
        {
            try
            {
                await using var rest = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous);
                rest.Position = offset;
                var content = new StreamContent(rest, 1 << 20);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.ContentLength = file.Length - offset;
                var answer = await gateway.PutChunksAsync(UploadId, ResumeToken, offset, content, cancellationToken);
                return MultipartUploader.Result(answer, await hashing, file.Length, progress, retries + failures - 1);
            }
            catch (Exception e) when (MultipartUploader.IsRetryable(e, cancellationToken))
            {
                var delay = settings.Reconnect.DelayBefore(failures)
                    ?? throw new IOException($"Gave up after {settings.Reconnect.MaxAttempts} attempts in a row: {e.Message}", e);
                progress.Resumed();
                var via = gateway.GatewayCount > 1 ? gateway.Next() : gateway.BaseAddress;
                progress.Note($"PUT from {offset} lost ({e.Message}); asking where upload {UploadId} stands via {via} in {delay.TotalMilliseconds:0} ms");
                await Task.Delay(delay, cancellationToken);
                try
                {
                    var status = await gateway.GetUploadAsync(UploadId, ResumeToken, cancellationToken);
                    if (status.IsCompleted)
                    {
                        var meta = await gateway.GetFileMetaAsync(UploadId, cancellationToken);
                        return MultipartUploader.Result(meta, await hashing, file.Length, progress, retries + failures);
                    }
                    offset = status.CommittedOffset;
                }
                catch (Exception again) when (MultipartUploader.IsRetryable(again, cancellationToken))
                {
                    progress.Note($"status not available ({again.Message})");
                }
            }
        }
    }
}
