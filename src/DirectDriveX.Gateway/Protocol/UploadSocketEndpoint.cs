using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Gateway.Uploads;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Gateway.Protocol;

/// <summary>
/// GET /ws/upload/{uploadId}?token=…: the WebSocket upload protocol (README, "WebSocket protocol"). The server speaks
/// first: <c>ready</c> with the committed offset to send from (a reconnect resumes there), the chunk size and the window.
/// The client sends binary messages of at most the chunk size, never more than the window unacknowledged; the server
/// acknowledges committed offsets, and ends with <c>complete</c> and a normal close, or with <c>error</c> and a close
/// whose status says what to do.
/// </summary>
public static partial class UploadSocketEndpoint
{
    public static IEndpointRouteBuilder MapUploadSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/upload/{uploadId}", HandleAsync);
        return app;
    }

    private static async Task HandleAsync(HttpContext context, string uploadId, UploadAccess access, IClusterClient client,
        IOptions<GatewayOptions> options, TimeProvider clock, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await context.Response.WriteAsJsonAsync(new { error = "This endpoint speaks WebSocket only." });
            return;
        }
        var logger = loggers.CreateLogger("DirectDriveX.Gateway.UploadSocket");
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var messenger = new SocketMessenger(socket);
        await using var handshake = new CloseHandshake(messenger);

        var (grain, status, refusal) = await access.OpenAsync(uploadId, UploadAccess.TokenOf(context.Request));
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["UploadId"] = uploadId, ["NodeId"] = status?.NodeId });
        if (refusal is not null)
        {
            await messenger.RefuseAsync(refusal, Error(refusal));
            return;
        }
        if (status!.State == UploadState.Completed)
        {
            var record = await client.GetGrain<IStoredFileGrain>(status.FileId!).GetRecord();
            await messenger.SendJsonAsync(Complete(record!));
            await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "complete");
            return;
        }
        if (status.State.IsFinal())
        {
            var closed = status.Failure ?? new UploadRefusal(
                status.State == UploadState.Aborted ? RefusalReason.Aborted : RefusalReason.Expired, $"Upload {uploadId} is {status.State}.");
            await messenger.RefuseAsync(closed, Error(closed));
            return;
        }

        var maxInFlight = (int)Math.Max(1, status.ReservedBytes / status.ChunkSize);
        await messenger.SendJsonAsync(new
        {
            type = "ready", uploadId, offset = status.CommittedOffset, size = status.Size,
            chunkSize = status.ChunkSize, window = status.ReservedBytes, maxChunksInFlight = maxInFlight,
        });
        LogConnected(logger, uploadId, status.NodeId, status.CommittedOffset);

        await using var writer = new UploadWriter(grain!, status.ChunkSize, maxInFlight, status.CommittedOffset,
            async (offset, _) => await messenger.SendJsonAsync(new { type = "ack", offset, percent = Math.Round(offset * 100.0 / status.Size, 1) }));
        var loop = new SocketUploadLoop(socket, writer, status.Size, status.ChunkSize, options.Value.MaxTextMessageBytes);
        using var refuseOnFailure = writer.OnFailure(refusal => messenger.RefuseAsync(refusal, Error(refusal)));
        await using var watch = new SessionWatch(grain!, options.Value.SessionWatchInterval, clock, refusal => messenger.RefuseAsync(refusal, Error(refusal)));
        try
        {
            var outcome = await loop.RunAsync(text => OnTextAsync(text, grain!, messenger), context.RequestAborted);
            switch (outcome)
            {
                case SocketUploadLoop.Outcome.AllBytesReceived:
                    var file = await UploadFinisher.FinishAsync(grain!, writer);
                    await messenger.SendJsonAsync(Complete(file));
                    await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "complete");
                    LogCompleted(logger, uploadId, file.StoredByNode, file.Size);
                    break;
                case SocketUploadLoop.Outcome.ClientClosed:
                    var committed = await writer.CompleteAsync();
                    await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "closed by client");
                    LogLeft(logger, uploadId, committed);
                    break;
                case SocketUploadLoop.Outcome.StoppedByProtocol:
                    break;
            }
        }
        catch (UploadRefusedException e)
        {
            LogRefused(logger, uploadId, e.Refusal.Reason, e.Refusal.Message);
            await messenger.RefuseAsync(e.Refusal, Error(e.Refusal));
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client dropped; what reached the pipeline is committed, and a reconnect resumes from there.
            long committed;
            try { committed = await writer.CompleteAsync(); } catch (UploadRefusedException) { committed = writer.CommittedOffset; }
            LogLeft(logger, uploadId, committed);
        }
    }

    /// <summary>Control messages from the client: <c>{"type":"abort"}</c>.</summary>
    private static async Task<bool> OnTextAsync(string text, IUploadSessionGrain grain, SocketMessenger messenger)
    {
        string? type = null;
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("type", out var t)) type = t.GetString();
        }
        catch (JsonException)
        {
        }
        if (type == "abort")
        {
            await grain.Abort();
            await messenger.SendJsonAsync(new { type = "aborted" });
            await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "aborted");
            return true;
        }
        throw new UploadRefusedException(new UploadRefusal(RefusalReason.InvalidRequest,
            "Text messages carry control only ({\"type\":\"abort\"}); send file data as binary messages."));
    }

    private static object Error(UploadRefusal r) => new
    {
        type = "error", reason = r.Reason.ToString(), message = r.Message, expectedOffset = r.ExpectedOffset,
        retryable = RefusalMapping.IsRetryable(r.Reason), figures = r.Figures,
    };

    private static object Complete(StoredFileRecord f) => new
    {
        type = "complete", fileId = f.FileId, sha256 = f.Sha256, size = f.Size, node = f.StoredByNode, downloadUrl = $"/api/v1/files/{f.FileId}",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} connected over WebSocket (node {NodeId}), resuming at {Offset}")]
    private static partial void LogConnected(ILogger logger, string uploadId, string? nodeId, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} completed over WebSocket on node {NodeName}: {Size} bytes")]
    private static partial void LogCompleted(ILogger logger, string uploadId, string nodeName, long size);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} client left at {Committed} committed bytes")]
    private static partial void LogLeft(ILogger logger, string uploadId, long committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} refused over WebSocket: {Reason} {Detail}")]
    private static partial void LogRefused(ILogger logger, string uploadId, RefusalReason reason, string detail);
}
