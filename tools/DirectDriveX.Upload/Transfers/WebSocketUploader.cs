using System.Buffers;
using System.Net.WebSockets;
using DirectDriveX.Upload.Progress;
using DirectDriveX.Upload.Protocol;

namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// Uploads one file over the gateway's WebSocket protocol: creates the session (POST /api/v1/uploads with the file's
/// SHA-256), streams binary frames of the announced chunk size with at most the session's window unacknowledged, and
/// waits for <c>complete</c>. A dropped connection is resumed: the committed offset comes from GET /api/v1/uploads/{id}
/// and from the server's first message on the new connection, and sending continues from there.
/// </summary>
internal sealed class WebSocketUploader(GatewayClient gateway, UploadSettings settings)
{
    public async Task<UploadResult> UploadAsync(FileInfo file, TransferProgress progress, CancellationToken cancellationToken)
    {
        progress.Note("computing SHA-256");
        var sha256 = await FileSha256.OfAsync(file, null, cancellationToken);
        var ticket = await CreateAsync(file, sha256, progress, cancellationToken);
        progress.Note($"upload {ticket.UploadId} on node {ticket.Node}: chunks of {ProgressLine.Bytes(ticket.ChunkSize)}, window {ProgressLine.Bytes(ticket.WindowBytes)}");

        using var handle = File.OpenHandle(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        var buffer = ArrayPool<byte>.Shared.Rent(ticket.ChunkSize);
        try
        {
            var dropAt = settings.SimulateDropAt;
            var reconnects = 0;
            var resumeFrom = 0L;
            while (true)
            {
                var connection = new Connection(ticket, file.Length, handle, buffer, progress, settings, dropAt);
                try
                {
                    var complete = await connection.RunAsync(gateway.WebSocketUri(ticket), resumeFrom, cancellationToken);
                    return Result(ticket, complete.FileId, complete.Sha256, sha256, file.Length, progress, reconnects);
                }
                catch (Exception e) when (IsConnectionLoss(e, cancellationToken))
                {
                    if (connection.DropSimulated) dropAt = null;
                    reconnects++;
                    var delay = settings.Reconnect.DelayBefore(reconnects)
                        ?? throw new IOException($"Gave up after {settings.Reconnect.MaxAttempts} reconnects: {e.Message}", e);
                    progress.Note($"connection lost ({e.GetType().Name}: {e.Message}); reconnect {reconnects}/{settings.Reconnect.MaxAttempts} in {delay.TotalMilliseconds:0} ms");
                    await Task.Delay(delay, cancellationToken);
                    var status = await TryGetStatusAsync(ticket, progress, cancellationToken);
                    if (status is { IsCompleted: true })
                    {
                        var meta = await gateway.GetFileMetaAsync(ticket.UploadId, cancellationToken);
                        var stored = meta.TryGetProperty("sha256", out var value) ? value.GetString() : null;
                        return Result(ticket, ticket.UploadId, stored, sha256, file.Length, progress, reconnects);
                    }
                    if (status is not null)
                    {
                        resumeFrom = status.CommittedOffset;
                        progress.Note($"server has {status.CommittedOffset} bytes committed ({status.State}); resuming");
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<UploadTicket> CreateAsync(FileInfo file, string sha256, TransferProgress progress, CancellationToken cancellationToken)
    {
        var request = new CreateUploadRequest(file.Name, file.Length, settings.ContentType, sha256);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await gateway.CreateUploadAsync(request, cancellationToken);
            }
            catch (UploadRefusedException refusal) when (refusal.IsTransient && settings.Reconnect.DelayBefore(attempt) is { } backoff)
            {
                var wait = refusal.RetryAfter is { } retryAfter && retryAfter < TimeSpan.FromSeconds(30) ? retryAfter : backoff;
                progress.Note($"{refusal.Message}; trying again in {wait.TotalSeconds:0.#} s");
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private async Task<UploadStatusReply?> TryGetStatusAsync(UploadTicket ticket, TransferProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            return await gateway.GetUploadAsync(ticket.UploadId, ticket.ResumeToken, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || e is UploadRefusedException { IsTransient: true })
        {
            progress.Note($"status not available ({e.Message})");
            return null;
        }
    }

    private static UploadResult Result(UploadTicket ticket, string? fileId, string? serverSha256, string sha256, long bytes,
        TransferProgress progress, int reconnects)
    {
        if (!string.Equals(serverSha256, sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The gateway stored SHA-256 {serverSha256 ?? "(none)"}, the file has {sha256}.");
        progress.Report(bytes);
        return new UploadResult(fileId ?? ticket.UploadId, ticket.Node, sha256, bytes, Math.Round(progress.Elapsed.TotalSeconds, 3), "websocket", reconnects);
    }

    private static bool IsConnectionLoss(Exception e, CancellationToken cancellationToken) => e switch
    {
        _ when cancellationToken.IsCancellationRequested => false,
        UploadRefusedException refusal => refusal.IsTransient,
        WebSocketException or IOException or HttpRequestException or TimeoutException or SimulatedDropException => true,
        OperationCanceledException => true,
        _ => false,
    };

    /// <summary>One WebSocket connection of an upload: a sender bounded by the ack window and a receiver of acks.</summary>
    private sealed class Connection(UploadTicket ticket, long size, Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] buffer,
        TransferProgress progress, UploadSettings settings, long? dropAt)
    {
        private readonly TaskCompletionSource<ServerMessage> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool DropSimulated { get; private set; }

        public async Task<ServerMessage> RunAsync(Uri uri, long resumeFrom, CancellationToken cancellationToken)
        {
            using var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(settings.AckTimeout);
            await socket.ConnectAsync(uri, connectTimeout.Token);

            // The server's first message says where to resume (or that the upload is already complete).
            var first = await ServerMessageReader.ReceiveAsync(socket, connectTimeout.Token);
            if (first is null) throw Closed(socket);
            if (first.IsError) throw await RefusalAsync(socket, first, cancellationToken);
            if (first.IsComplete) return first;
            var start = first.Offset ?? resumeFrom;
            var window = new AckWindow(ticket.WindowBytes, start);
            progress.Report(start);

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
                await socket.SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                window.Sent(count);
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
                    }
                    else if (message.IsComplete)
                    {
                        _complete.TrySetResult(message);
                    }
                    else if (message.IsError)
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
            return new UploadRefusedException($"upload refused: {error.Reason}: {error.Message} (close status {status?.ToString() ?? "none"})",
                closeStatus: status);
        }

        /// <summary>A close without an error message first: a dropped connection, to be resumed.</summary>
        private static WebSocketException Closed(WebSocket socket) =>
            new(WebSocketError.ConnectionClosedPrematurely,
                $"the server closed the connection ({socket.CloseStatus?.ToString() ?? "no status"} {socket.CloseStatusDescription}) before the upload completed");
    }
}
