using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using DirectDriveX.Upload.Progress;
using DirectDriveX.Upload.Protocol;

namespace DirectDriveX.Upload.Transfers;

/// <summary>
/// Uploads one file over the gateway's WebSocket protocol: creates the session (POST /api/v1/uploads with the file's
/// SHA-256), streams binary frames of the announced chunk size with at most the session's window unacknowledged, and
/// waits for <c>complete</c>. A dropped connection is resumed: the committed offset comes from GET /api/v1/uploads/{id}
/// and from the server's first message on the new connection, and sending continues from there. A lost connection, a
/// refused one, a retryable refusal (1013) and a <c>reconnect</c> (1012: the node restarts; 1001: the gateway goes away)
/// all mean the same: pause (doubling from 250 ms, capped, and afresh after a connection that made progress) and reconnect
/// through the next gateway given (<see cref="GatewayClient.Next"/>).
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
            var failuresInARow = 0;
            var resumeFrom = 0L;
            while (true)
            {
                var connection = new UploadConnection(ticket, file.Length, handle, buffer, progress, settings, dropAt);
                try
                {
                    var complete = await connection.RunAsync(gateway.WebSocketUri(ticket), resumeFrom, cancellationToken);
                    return Result(ticket, complete.FileId, complete.Sha256, sha256, file.Length, progress, reconnects);
                }
                catch (Exception e) when (IsConnectionLoss(e, cancellationToken))
                {
                    if (connection.DropSimulated) dropAt = null;
                    reconnects++;
                    failuresInARow = connection.MadeProgress ? 1 : failuresInARow + 1;
                    var delay = settings.Reconnect.DelayBefore(failuresInARow)
                        ?? throw new IOException($"Gave up after {settings.Reconnect.MaxAttempts} reconnects in a row: {e.Message}", e);
                    progress.Resumed();
                    var via = gateway.GatewayCount > 1 ? gateway.Next() : gateway.BaseAddress;
                    progress.Note($"connection lost ({e.GetType().Name}: {e.Message}); reconnect {failuresInARow}/{settings.Reconnect.MaxAttempts} via {via} in {delay.TotalMilliseconds:0} ms");
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
            var creating = Stopwatch.GetTimestamp();
            try
            {
                try
                {
                    return await gateway.CreateUploadAsync(request, cancellationToken);
                }
                finally
                {
                    progress.AddCreateTime(Stopwatch.GetElapsedTime(creating));
                }
            }
            catch (UploadRefusedException refusal) when (refusal.IsTransient && settings.Reconnect.DelayBefore(attempt) is { } backoff)
            {
                // With several gateways, the next one is tried after the short backoff; with one, after what it asked.
                var wait = gateway.GatewayCount == 1 && refusal.RetryAfter is { } retryAfter && retryAfter < TimeSpan.FromSeconds(30) ? retryAfter : backoff;
                if (gateway.GatewayCount > 1) gateway.Next();
                progress.Note($"{refusal.Message}; trying again in {wait.TotalSeconds:0.#} s via {gateway.BaseAddress}");
                await Task.Delay(wait, cancellationToken);
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested && settings.Reconnect.DelayBefore(attempt) is { } backoff)
            {
                // The gateway refused the connection (it is restarting): the next one, after a pause.
                var failed = gateway.BaseAddress;
                gateway.Next();
                progress.Note($"{failed} not reachable ({e.Message}); trying again in {backoff.TotalSeconds:0.#} s via {gateway.BaseAddress}");
                await Task.Delay(backoff, cancellationToken);
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
        return UploadResult.Of(fileId ?? ticket.UploadId, ticket.Node, sha256, bytes, progress, "websocket", reconnects);
    }

    private static bool IsConnectionLoss(Exception e, CancellationToken cancellationToken) => e switch
    {
        _ when cancellationToken.IsCancellationRequested => false,
        UploadRefusedException refusal => refusal.IsTransient,
        WebSocketException or IOException or HttpRequestException or TimeoutException or SimulatedDropException => true,
        OperationCanceledException => true,
        _ => false,
    };
}
