using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Options;
using DirectDriveX.Http;

namespace DirectDriveX.Protocols;

/// <summary>
/// The reference DirectDriveX web client's upload socket, so it can point at this cluster unchanged: 4 MB chunks (binary, or
/// text <c>{"bytes":"&lt;base64&gt;"}</c>) ending with the text <c>DONE</c>; progress, success or error messages back. The
/// initiate call that precedes it is the gateway's (it routes); this socket is served by the node that holds the session.
/// The file id is the upload id (128 random bits), which is all this client ever presents.
/// </summary>
public static partial class LegacyUploadSocketEndpoint
{
    public static IEndpointRouteBuilder MapLegacyUploadSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/ws_api/upload_parallel/{fileId}", UploadAsync);
        return app;
    }

    private static async Task UploadAsync(HttpContext context, string fileId, UploadDataPlane plane, IOptions<ProtocolOptions> options,
        TimeProvider clock, ILoggerFactory loggers, UploadConnections connections)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        var logger = loggers.CreateLogger("DirectDriveX.Protocols.LegacyUploadSocket");
        using var scope = UploadLogScope.Begin(logger, fileId, plane.NodeName);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var connection = connections.Open(context, fileId);
        using var messenger = new SocketMessenger(socket);
        await using var handshake = new CloseHandshake(messenger);
        try
        {
            await ServeAsync(context, fileId, plane, options, clock, loggers, logger, socket, messenger, connection);
        }
        catch (Exception e) when (e is not (WebSocketException or OperationCanceledException))
        {
            // A grain call or membership failure (NodeUnavailable), or anything unexpected (ServerFault, generic):
            // a typed message and close, never a bare drop or an exception's text.
            var refusal = FailureRefusals.For(e);
            LogFailed(logger, e, refusal.Reason);
            await messenger.RefuseAsync(refusal);
        }
    }

    private static async Task ServeAsync(HttpContext context, string fileId, UploadDataPlane plane, IOptions<ProtocolOptions> options,
        TimeProvider clock, ILoggerFactory loggers, ILogger logger, WebSocket socket, SocketMessenger messenger,
        UploadConnections.Connection connection)
    {
        var (session, refusal) = await plane.OpenAsync(fileId, token: null, requireToken: false);
        if (refusal is null && session!.Status is { State: UploadState.Completed, Size: 0 })
        {
            // An empty file is stored once initiated: the client has no byte to send, only DONE.
            try
            {
                if (!await WaitForDoneAsync(socket, context.RequestAborted)) return;
            }
            catch (UploadRefusedException e)
            {
                await messenger.RefuseAsync(e.Refusal);
                return;
            }
            await messenger.SendJsonAsync(new { type = "success", value = $"/api/v1/download/stream/{session.Status.FileId}" });
            await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "success");
            return;
        }
        refusal ??= session!.FinishedRefusal;
        if (refusal is not null)
        {
            await messenger.RefuseAsync(refusal);
            return;
        }
        connection.SessionHere = true;
        if (connection.Notice is { } early)
        {
            await context.RequestServices.GetRequiredService<UploadConnections>().LetGoAsync(connection);
            await messenger.EndAsync(Reconnect(early, session!.Status.CommittedOffset), early.CloseStatus, early.Reason);
            return;
        }

        var size = session!.Status.Size;
        // This client knows no offsets: on every connection it sends from the first byte, so the stream starts at 0 and the
        // bytes the node already holds are checked and acknowledged again (starting at the committed offset would shift the file).
        StagingWriter writer;
        try
        {
            writer = await session.OpenWriterAsync(async offset =>
                await messenger.SendJsonAsync(new { type = "progress", value = Math.Round(offset * 100.0 / size, 1) }), streamOffset: 0);
        }
        catch (UploadRefusedException e)
        {
            await messenger.RefuseAsync(e.Refusal);
            return;
        }
        await using var _ = writer;
        var loop = new SocketUploadLoop(socket, writer, size, maxBinaryMessageBytes: null, options.Value.MaxTextMessageBytes);
        using var refuseOnFailure = writer.OnFailure(refusal => messenger.RefuseAsync(refusal));
        await using var watch = new SessionWatch(session.Grain, options.Value.SessionWatchInterval, clock,
            refusal => messenger.RefuseAsync(refusal),
            async completed =>
            {
                await messenger.SendJsonAsync(new { type = "success", value = $"/api/v1/download/stream/{completed.FileId}" });
                await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "success");
            });
        var done = false;
        // Told to reconnect (the node or gateway is leaving): the reference client's error message, then the close; what it
        // sent before it saw them is received and committed (it starts again from its first byte, checked, not rewritten).
        using var reconnect = connection.ReconnectRequested.Register(() =>
        {
            if (!done && connection.Notice is { } notice)
                EndQuietlyAsync(messenger, Reconnect(notice, writer.CommittedOffset), notice.CloseStatus, notice.Reason);
        });
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
            await watch.StopAsync();
            var (file, deleteToken) = await session.CompleteAsync(writer, context.RequestAborted);
            await messenger.SendJsonAsync(new { type = "success", value = $"/api/v1/download/stream/{file.FileId}", deleteToken });
            await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "success");
            LogCompleted(logger, fileId, file.StoredByNode, file.Size);
        }
        catch (UploadRefusedException e)
        {
            LogRefused(logger, fileId, e.Refusal.Reason, e.Refusal.Message);
            await messenger.RefuseAsync(e.Refusal);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            await writer.KeepWhatArrivedAsync();
        }
    }

    private static object Reconnect(ReconnectNotice notice, long committed) => new
    {
        type = "error", value = notice.Message, reason = notice.Reason, retryable = true, offset = committed,
    };

    /// <summary>After the last byte the reference client still sends DONE; anything else then is a protocol error.</summary>
    private static async Task<bool> WaitForDoneAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64];
        var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
        if (result.MessageType == WebSocketMessageType.Close) return false;
        if (result.MessageType == WebSocketMessageType.Text && result.EndOfMessage
            && System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count).Trim() == "DONE") return true;
        throw new UploadRefusedException(new UploadRefusal(RefusalReason.PastDeclaredSize, "Data after the declared size; expected DONE."));
    }

    private static byte[] DecodeBase64Chunk(string text, long left)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("bytes", out var bytes))
            {
                var data = bytes.GetBytesFromBase64();
                return data.Length <= left ? data : throw new UploadRefusedException(new UploadRefusal(RefusalReason.PastDeclaredSize,
                    "The data runs past the declared size."));
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
        }
        throw new UploadRefusedException(new UploadRefusal(RefusalReason.InvalidRequest,
            "Text messages must be {\"bytes\":\"<base64>\"} or DONE."));
    }

    /// <summary>A connection's end sent from a callback: nothing to wait for, and nothing to throw.</summary>
    private static async void EndQuietlyAsync(SocketMessenger messenger, object message, WebSocketCloseStatus status, string description)
    {
        try { await messenger.EndAsync(message, status, description); }
        catch (Exception) { } // the connection is ending anyway; an async void must not throw
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} completed over the legacy protocol on node {NodeName}: {Size} bytes")]
    private static partial void LogCompleted(ILogger logger, string uploadId, string nodeName, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} refused over the legacy protocol: {Reason} {Detail}")]
    private static partial void LogRefused(ILogger logger, string uploadId, RefusalReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload socket failed; refused with {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, RefusalReason reason);
}
