using System.Diagnostics;
using System.Net.WebSockets;
using DirectDriveX.Upload.Progress;
using DirectDriveX.Upload.Protocol;
using Microsoft.Win32.SafeHandles;

namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// One WebSocket connection of an upload: reads the server's <c>ready</c> (the offset to send from), then runs a sender
/// bounded by the <see cref="AckWindow"/> and a receiver of acknowledgements until <c>complete</c>. An <c>error</c>
/// message becomes an <see cref="UploadRefusedException"/> with the close status that follows it; a close or a drop
/// without one is a <see cref="WebSocketException"/>, which the uploader answers by reconnecting.
/// </summary>
internal sealed class UploadConnection(UploadTicket ticket, long size, SafeFileHandle file, byte[] buffer,
    TransferProgress progress, UploadSettings settings, long? dropAt)
{
    private readonly TaskCompletionSource<ServerMessage> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool DropSimulated { get; private set; }

    /// <summary>The server acknowledged bytes on this connection: it worked, so the next loss starts the backoff afresh.</summary>
    public bool MadeProgress { get; private set; }

    public async Task<ServerMessage> RunAsync(Uri uri, long resumeFrom, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(settings.AckTimeout);

        // Connection setup, timed apart from the transfer: the handshake and the server's first message, which says
        // where to resume (or that the upload is already complete).
        ServerMessage? first;
        var connecting = Stopwatch.GetTimestamp();
        try
        {
            await socket.ConnectAsync(uri, connectTimeout.Token);
            first = await ServerMessageReader.ReceiveAsync(socket, connectTimeout.Token);
        }
        finally
        {
            progress.AddConnectTime(Stopwatch.GetElapsedTime(connecting));
        }
        if (first is null) throw Closed(socket);
        if (first.IsError || first.IsReconnect) throw await RefusalAsync(socket, first, cancellationToken);
        if (first.IsComplete) return first;
        var start = first.Offset ?? resumeFrom;
        var window = new AckWindow(ticket.WindowBytes, start);
        progress.Report(start);
        progress.TransferStarted();

        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiver = ReceiveAsync(socket, window, connection);
        try
        {
            await SendAsync(socket, window, start, connection.Token);
            var complete = await _complete.Task.WaitAsync(settings.CompleteTimeout, connection.Token);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
            return complete;
        }
        catch (Exception sendFailure) when (!cancellationToken.IsCancellationRequested)
        {
            progress.TransferStopped();
            // The receiver may know better than the sender's symptom: the server's refusal, or why the wait was cancelled.
            connection.Cancel();
            try
            {
                await receiver.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            }
            catch (UploadRefusedException)
            {
                throw;
            }
            catch (Exception) when (sendFailure is OperationCanceledException)
            {
                throw;
            }
            catch (Exception)
            {
                // The sender's failure stands.
            }
            throw;
        }
        finally
        {
            progress.TransferStopped();
            connection.Cancel();
            socket.Abort();
            await receiver.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task SendAsync(ClientWebSocket socket, AckWindow window, long start, CancellationToken cancellationToken)
    {
        for (var offset = start; offset < size;)
        {
            var count = (int)Math.Min(ticket.ChunkSize, size - offset);
            await window.WaitForRoomAsync(count, cancellationToken).WaitAsync(settings.AckTimeout, cancellationToken);
            await ReadExactlyAsync(buffer.AsMemory(0, count), offset, cancellationToken);
            // Counted as sent before the send returns: the server may take the bytes and acknowledge them before this
            // continuation runs, and an acknowledgement past the bytes counted would be refused as impossible.
            window.Sent(count);
            await socket.SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            offset += count;
            if (dropAt is { } at && offset >= at && !DropSimulated)
            {
                DropSimulated = true;
                socket.Abort();
                throw new SimulatedDropException(offset);
            }
        }
    }

    private async Task ReceiveAsync(ClientWebSocket socket, AckWindow window, CancellationTokenSource connection)
    {
        try
        {
            while (true)
            {
                var message = await ServerMessageReader.ReceiveAsync(socket, connection.Token);
                if (message is null)
                {
                    if (_complete.Task.IsCompleted) return;
                    throw Closed(socket);
                }
                if (message.IsAck && message.Offset is { } committed)
                {
                    window.Acknowledge(committed);
                    progress.Report(committed);
                    MadeProgress = true;
                }
                else if (message.IsComplete)
                {
                    _complete.TrySetResult(message);
                }
                else if (message.IsError || message.IsReconnect)
                {
                    throw await RefusalAsync(socket, message, connection.Token);
                }
            }
        }
        catch
        {
            connection.Cancel();
            throw;
        }
    }

    private async Task ReadExactlyAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken)
    {
        while (destination.Length > 0)
        {
            var read = await RandomAccess.ReadAsync(file, destination, offset, cancellationToken);
            if (read == 0) throw new EndOfStreamException($"The file ended at {offset} bytes; it changed during the upload.");
            destination = destination[read..];
            offset += read;
        }
    }

    /// <summary>An error message is followed by a close whose status says whether to try again (1013) or give up.</summary>
    private static async Task<UploadRefusedException> RefusalAsync(WebSocket socket, ServerMessage error, CancellationToken cancellationToken)
    {
        try
        {
            using var closeWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            closeWait.CancelAfter(TimeSpan.FromSeconds(5));
            while (await ServerMessageReader.ReceiveAsync(socket, closeWait.Token) is not null) { }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        var status = socket.CloseStatus is { } code ? (int)code : (int?)null;
        var what = error.IsReconnect ? "told to reconnect" : "upload refused";
        return new UploadRefusedException($"{what}: {error.Reason}: {error.Message} (close status {status?.ToString() ?? "none"})",
            closeStatus: error.IsReconnect ? status ?? 1012 : status);
    }

    /// <summary>A close without an error message first: a dropped connection, to be resumed.</summary>
    private static WebSocketException Closed(WebSocket socket) =>
        new(WebSocketError.ConnectionClosedPrematurely,
            $"the server closed the connection ({socket.CloseStatus?.ToString() ?? "no status"} {socket.CloseStatusDescription}) before the upload completed");
}
