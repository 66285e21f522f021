using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Gateway.Uploads;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Gateway.Protocol;

/// <summary>
/// The reference DirectDriveX web client's protocol, so it can point at this cluster unchanged: initiate, then a WebSocket
/// of 4 MB chunks (binary, or text <c>{"bytes":"&lt;base64&gt;"}</c>) ending with the text <c>DONE</c>; progress, success or
/// error messages back. It is an adapter over the same starter and pipeline as the native protocol; the file id is the
/// upload id (128 random bits), which is all this client ever presents.
/// </summary>
public static partial class LegacyUploadEndpoints
{
    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEndpointRouteBuilder MapLegacyUploadEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/upload/initiate", InitiateAsync);
        app.Map("/ws_api/upload_parallel/{fileId}", UploadAsync);
        return app;
    }

    private static async Task<IResult> InitiateAsync(HttpContext context, UploadStarter starter, RefusalResults refusals, IOptions<GatewayOptions> options)
    {
        LegacyInitiateRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<LegacyInitiateRequest>(context.Request.Body, SnakeCase, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return refusals.InvalidStart(context, $"body: not valid JSON ({e.Message}).");
        }
        if (body is null || string.IsNullOrWhiteSpace(body.Filename)) return refusals.InvalidStart(context, "filename: must not be empty.");
        if (body.Size is not > 0) return refusals.InvalidStart(context, "size: must be a positive number of bytes.");
        var extension = LegacyFileNames.Extension(body.Filename);
        if (extension.Length > 0 && options.Value.BlockedExtensions.Contains(extension, StringComparer.OrdinalIgnoreCase))
            return refusals.InvalidStart(context, $"filename: files of type {extension} are not accepted.");
        if (body.ContentType is { } type && options.Value.BlockedContentTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
            return refusals.InvalidStart(context, $"content_type: {type} is not accepted.");

        var started = await starter.StartAsync(new UploadRequest(body.Filename, body.Size.Value, body.ContentType), context.RequestAborted);
        if (started.Session is not { } session) return refusals.Problem(context, started.Refusal!);
        return Results.Json(new LegacyInitiateResponse(session.UploadId, $"/ws_api/upload_parallel/{session.UploadId}",
            body.Filename, LegacyFileNames.SafeForDisplay(body.Filename)), SnakeCase);
    }

    private static async Task UploadAsync(HttpContext context, string fileId, UploadAccess access, IOptions<GatewayOptions> options,
        TimeProvider clock, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        var logger = loggers.CreateLogger("DirectDriveX.Gateway.LegacyUploadSocket");
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var messenger = new SocketMessenger(socket);
        await using var handshake = new CloseHandshake(messenger);

        var (grain, status, refusal) = await access.OpenAsync(fileId, token: null, requireToken: false);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["UploadId"] = fileId, ["NodeId"] = status?.NodeId });
        refusal ??= status!.State.IsFinal() ? status.Failure ?? new UploadRefusal(RefusalReason.InvalidState, $"Upload {fileId} is {status.State}.") : null;
        if (refusal is not null)
        {
            await messenger.RefuseAsync(refusal, Error(refusal));
            return;
        }

        var size = status!.Size;
        // This client knows no offsets: on every connection it sends from the first byte, so the stream starts at 0 and the
        // session acknowledges chunks it already holds as duplicates (starting at the committed offset would shift the file).
        await using var writer = new UploadWriter(grain!, status.ChunkSize, (int)Math.Max(1, status.ReservedBytes / status.ChunkSize), startOffset: 0,
            async (offset, _) => await messenger.SendJsonAsync(new { type = "progress", value = Math.Round(offset * 100.0 / size, 1) }));
        var loop = new SocketUploadLoop(socket, writer, size, maxBinaryMessageBytes: null, options.Value.MaxTextMessageBytes);
        using var refuseOnFailure = writer.OnFailure(refusal => messenger.RefuseAsync(refusal, Error(refusal)));
        await using var watch = new SessionWatch(grain!, options.Value.SessionWatchInterval, clock, refusal => messenger.RefuseAsync(refusal, Error(refusal)));
        var done = false;
        try
        {
            await loop.RunAsync(async text =>
            {
                if (text.Trim() == "DONE") { done = true; return true; }
                await writer.WriteAsync(DecodeBase64Chunk(text, size - writer.ReceivedOffset), context.RequestAborted);
                return false;
            }, context.RequestAborted);

            if (!done && writer.ReceivedOffset == size)
                done = await WaitForDoneAsync(socket, context.RequestAborted);
            if (!done)
            {
                await writer.CompleteAsync();
                await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "closed by client");
                return;
            }
            if (writer.ReceivedOffset != size)
                throw new UploadRefusedException(new UploadRefusal(RefusalReason.Incomplete,
                    $"DONE after {writer.ReceivedOffset} of {size} bytes.", ExpectedOffset: writer.ReceivedOffset));
            var file = await UploadFinisher.FinishAsync(grain!, writer);
            await messenger.SendJsonAsync(new { type = "success", value = $"/api/v1/download/stream/{file.FileId}" });
            await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "success");
            LogCompleted(logger, fileId, file.StoredByNode, file.Size);
        }
        catch (UploadRefusedException e)
        {
            LogRefused(logger, fileId, e.Refusal.Reason, e.Refusal.Message);
            await messenger.RefuseAsync(e.Refusal, Error(e.Refusal));
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            try { await writer.CompleteAsync(); } catch (UploadRefusedException) { }
        }
    }

    /// <summary>After the last byte the reference client still sends DONE; anything else then is a protocol error.</summary>
    private static async Task<bool> WaitForDoneAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64];
        var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
        if (result.MessageType == WebSocketMessageType.Close) return false;
        if (result.MessageType == WebSocketMessageType.Text && result.EndOfMessage
            && System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count).Trim() == "DONE") return true;
        throw new UploadRefusedException(new UploadRefusal(RefusalReason.ChunkTooLarge, "Data after the declared size; expected DONE."));
    }

    private static byte[] DecodeBase64Chunk(string text, long left)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("bytes", out var bytes))
            {
                var data = bytes.GetBytesFromBase64();
                return data.Length <= left ? data : throw new UploadRefusedException(new UploadRefusal(RefusalReason.ChunkTooLarge,
                    "The data runs past the declared size."));
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
        }
        throw new UploadRefusedException(new UploadRefusal(RefusalReason.InvalidRequest,
            "Text messages must be {\"bytes\":\"<base64>\"} or DONE."));
    }

    private static object Error(UploadRefusal r) => new { type = "error", value = r.Message, reason = r.Reason.ToString() };

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} completed over the legacy protocol on node {NodeName}: {Size} bytes")]
    private static partial void LogCompleted(ILogger logger, string uploadId, string nodeName, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} refused over the legacy protocol: {Reason} {Detail}")]
    private static partial void LogRefused(ILogger logger, string uploadId, RefusalReason reason, string detail);
}
