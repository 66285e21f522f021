using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Options;
using DirectDriveX.Http;

namespace DirectDriveX.Protocols;

/// <summary>
/// GET /ws/upload/{uploadId}?token=…: the WebSocket upload protocol (README, "Send it over WebSocket"). The server speaks
/// first: <c>ready</c> with the committed offset to send from (a reconnect resumes there), the chunk size and the window.
/// The client sends binary messages of at most the chunk size, never more than the window unacknowledged; the server
/// acknowledges committed offsets, and ends with <c>complete</c> and a normal close, or with <c>error</c> and a close
/// whose status says what to do. Served by the node that holds the session (the gateway forwards the connection there).
/// </summary>
public static partial class UploadSocketEndpoint
{
    public static IEndpointRouteBuilder MapUploadSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/upload/{uploadId}", HandleAsync);
        return app;
    }

    private static async Task HandleAsync(HttpContext context, string uploadId, UploadDataPlane plane, IGrainFactory grains,
        IOptions<ProtocolOptions> options, TimeProvider clock, ILoggerFactory loggers, UploadConnections connections)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await context.Response.WriteAsJsonAsync(new { error = "This endpoint speaks WebSocket only." });
            return;
        }
        var logger = loggers.CreateLogger("DirectDriveX.Protocols.UploadSocket");
        using var scope = UploadLogScope.Begin(logger, uploadId, plane.NodeName);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var connection = connections.Open(context, uploadId);
        using var messenger = new SocketMessenger(socket);
        await using var handshake = new CloseHandshake(messenger);
        try
        {
            await ServeAsync(context, uploadId, plane, grains, options, clock, loggers, logger, socket, messenger, connection, connections);
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

    private static async Task ServeAsync(HttpContext context, string uploadId, UploadDataPlane plane, IGrainFactory grains,
        IOptions<ProtocolOptions> options, TimeProvider clock, ILoggerFactory loggers, ILogger logger, WebSocket socket, SocketMessenger messenger,
        UploadConnections.Connection connection, UploadConnections connections)
    {
        var (session, refusal) = await plane.OpenAsync(uploadId, UploadToken.Of(context.Request), requireToken: true);
        if (refusal is not null)
        {
            await messenger.RefuseAsync(refusal);
            return;
        }
        if (session!.Status.State == UploadState.Completed)
        {
            await SendCompleteAsync(messenger, grains, session.Status);
            return;
        }
        if (session.FinishedRefusal is { } finished)
        {
            await messenger.RefuseAsync(finished);
            return;
        }
        connection.SessionHere = true;
        if (connection.Notice is { } early)
        {
            // This node is leaving: not one byte here; the session is let go first, so the reconnect finds it elsewhere.
            await connections.LetGoAsync(connection);
            await messenger.EndAsync(early.SocketMessage(session.Status.CommittedOffset), early.CloseStatus, early.Reason);
            return;
        }

        var status = session.Status;
        StagingWriter writer;
        try
        {
            writer = await session.OpenWriterAsync(async offset =>
                await messenger.SendJsonAsync(new { type = "ack", offset, percent = Math.Round(offset * 100.0 / status.Size, 1) }));
        }
        catch (UploadRefusedException e)
        {
            await messenger.RefuseAsync(e.Refusal);
            return;
        }
        await using var _ = writer;
        await messenger.SendJsonAsync(new
        {
            type = "ready", uploadId, offset = writer.CommittedOffset, size = status.Size,
            chunkSize = status.ChunkSize, window = status.WindowBytes, maxChunksInFlight = status.MaxChunksInFlight,
        });
        LogConnected(logger, uploadId, writer.CommittedOffset);

        var loop = new SocketUploadLoop(socket, writer, status.Size, status.ChunkSize, options.Value.MaxTextMessageBytes);
        using var refuseOnFailure = writer.OnFailure(refusal => messenger.RefuseAsync(refusal));
        await using var watch = new SessionWatch(session.Grain, options.Value.SessionWatchInterval, clock,
            refusal => messenger.RefuseAsync(refusal),
            async completed => await SendCompleteAsync(messenger, grains, completed));
        // Told to reconnect (the node or the gateway is leaving): the typed message and the close at once; the loop keeps
        // receiving what the client sent before it saw them, until its close, and every byte of it is committed. An upload
        // whose last byte has arrived is finished here instead.
        var finishing = 0;
        using var reconnect = connection.ReconnectRequested.Register(() =>
        {
            if (Volatile.Read(ref finishing) == 0 && connection.Notice is { } notice)
            {
                LogReconnect(logger, uploadId, notice.Reason, writer.CommittedOffset);
                EndQuietlyAsync(messenger, notice.SocketMessage(writer.CommittedOffset), notice.CloseStatus, notice.Reason);
            }
        });
        PastTheEnd? pastTheEnd = null;
        try
        {
            var outcome = await loop.RunAsync(text => OnTextAsync(text, session, messenger), context.RequestAborted);
            Volatile.Write(ref finishing, 1);
            switch (outcome)
            {
                case SocketUploadLoop.Outcome.AllBytesReceived:
                    // The declared size is the end: from here the server keeps reading, and data that arrives before it
                    // sends `complete` is refused (README, "Send it over WebSocket").
                    await watch.StopAsync();
                    pastTheEnd = new PastTheEnd(socket);
                    await writer.CompleteAsync();
                    pastTheEnd.ThrowIfDataArrived(status.Size, completedFile: null);
                    var grace = pastTheEnd.ListenAsync(options.Value.PastTheEndGrace);
                    var (file, deleteToken) = await session.CompleteAsync(writer, context.RequestAborted);
                    await grace;
                    pastTheEnd.ThrowIfDataArrived(status.Size, completedFile: file.FileId);
                    await messenger.SendJsonAsync(Complete(file, deleteToken));
                    await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "complete");
                    break;
                case SocketUploadLoop.Outcome.ClientClosed:
                    var left = await writer.CompleteAsync();
                    await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "closed by client");
                    LogLeft(logger, uploadId, left);
                    break;
                case SocketUploadLoop.Outcome.StoppedByProtocol:
                    break;
            }
        }
        catch (UploadRefusedException e)
        {
            LogRefused(logger, uploadId, e.Refusal.Reason, e.Refusal.Message);
            await messenger.RefuseAsync(e.Refusal);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client dropped; what reached the node is committed, and a reconnect resumes from there.
            var committed = await writer.KeepWhatArrivedAsync();
            LogLeft(logger, uploadId, committed);
        }
        catch (Exception e)
        {
            // Answered here, before the receive past the end is settled, so the client hears it.
            var failure = FailureRefusals.For(e);
            LogFailed(logger, e, failure.Reason);
            await messenger.RefuseAsync(failure);
        }
        finally
        {
            if (pastTheEnd is not null) await pastTheEnd.SettleAsync(CloseHandshake.Timeout);
        }
    }

    private static async Task SendCompleteAsync(SocketMessenger messenger, IGrainFactory grains, UploadStatus completed)
    {
        var record = await grains.ReferenceTo<IStoredFileGrain>(completed.FileId!).GetRecord();
        if (record is null)
        {
            var gone = new UploadRefusal(RefusalReason.NotFound, $"Upload {completed.UploadId} is complete, and its file {completed.FileId} no longer exists.");
            await messenger.RefuseAsync(gone);
            return;
        }
        await messenger.SendJsonAsync(Complete(record, deleteToken: null));
        await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "complete");
    }

    /// <summary>Control messages from the client: <c>{"type":"abort"}</c>.</summary>
    private static async Task<bool> OnTextAsync(string text, UploadSessionHandle session, SocketMessenger messenger)
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
            await session.AbortAsync();
            await messenger.SendJsonAsync(new { type = "aborted" });
            await messenger.CloseAsync(WebSocketCloseStatus.NormalClosure, "aborted");
            return true;
        }
        throw new UploadRefusedException(new UploadRefusal(RefusalReason.InvalidRequest,
            "Text messages carry control only ({\"type\":\"abort\"}); send file data as binary messages."));
    }

    /// <summary>The completion message; <paramref name="deleteToken"/> only when this connection completed a keyless client's upload.</summary>
    private static object Complete(StoredFileRecord f, string? deleteToken) => deleteToken is null
        ? new { type = "complete", fileId = f.FileId, sha256 = f.Sha256, size = f.Size, node = f.StoredByNode, downloadUrl = $"/api/v1/files/{f.FileId}" }
        : new { type = "complete", fileId = f.FileId, sha256 = f.Sha256, size = f.Size, node = f.StoredByNode, downloadUrl = $"/api/v1/files/{f.FileId}", deleteToken };

    /// <summary>A connection's end sent from a callback: nothing to wait for, and nothing to throw.</summary>
    private static async void EndQuietlyAsync(SocketMessenger messenger, object message, WebSocketCloseStatus status, string description)
    {
        try { await messenger.EndAsync(message, status, description); }
        catch (Exception) { } // the connection is ending anyway; an async void must not throw
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} connected over WebSocket, resuming at {Offset}")]
    private static partial void LogConnected(ILogger logger, string uploadId, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} told to reconnect ({Reason}) at {Committed} committed bytes")]
    private static partial void LogReconnect(ILogger logger, string uploadId, string reason, long committed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} client left at {Committed} committed bytes")]
    private static partial void LogLeft(ILogger logger, string uploadId, long committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} refused over WebSocket: {Reason} {Detail}")]
    private static partial void LogRefused(ILogger logger, string uploadId, RefusalReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload socket failed; refused with {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, RefusalReason reason);
}
