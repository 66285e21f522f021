using System.Net.WebSockets;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Protocols;

/// <summary>
/// The rule for data past the declared size on the WebSocket protocol: once the bytes that reach the size have arrived the
/// client must send no more data, and the server keeps reading while it commits them and completes the upload, and for at
/// least <c>Protocol:PastTheEndGrace</c> (100 ms) after the last acknowledgement. A binary
/// message that arrives before the server sends <c>complete</c> (one sent with the last bytes, or after the last
/// acknowledgement) is refused with <c>PastDeclaredSize</c>: if it arrived before the session was asked to complete, the upload
/// is left with every declared byte committed (a reconnect gets <c>ready</c> at the size, then <c>complete</c>); if the
/// session had completed meanwhile, the file stays stored with exactly the declared bytes and the error says so. Data after
/// <c>complete</c> is discarded with the close handshake. A text message then (an abort too late) does not stop completion.
/// </summary>
public sealed class PastTheEnd
{
    private readonly WebSocket _socket;
    private readonly CancellationTokenSource _giveUp = new();
    private readonly Task<ValueWebSocketReceiveResult> _next;

    public PastTheEnd(WebSocket socket)
    {
        _socket = socket;
        _next = socket.ReceiveAsync(new byte[1].AsMemory(), _giveUp.Token).AsTask();
    }

    /// <summary>Ends when data (or the client's close) has arrived, or after <paramref name="grace"/>.</summary>
    public async Task ListenAsync(TimeSpan grace)
    {
        if (grace <= TimeSpan.Zero) return;
        await Task.WhenAny(_next, Task.Delay(grace));
    }

    /// <summary>Throws the refusal when a binary message has arrived since the declared size was reached.</summary>
    public void ThrowIfDataArrived(long size, string? completedFile)
    {
        if (!_next.IsCompletedSuccessfully || _next.Result.MessageType != WebSocketMessageType.Binary) return;
        var message = $"Data arrived past the declared size of {size} bytes; send nothing after the last byte.";
        throw new UploadRefusedException(new UploadRefusal(RefusalReason.PastDeclaredSize, completedFile is null
            ? message + " Every declared byte is committed: reconnect to complete the upload."
            : message + $" The upload completed with its declared bytes as file {completedFile}; the bytes past them were discarded."));
    }

    /// <summary>Lets the pending receive end (the client's close, usually) before the close handshake reads on, so only one
    /// receive is ever outstanding; a client silent past <paramref name="timeout"/> has its connection aborted.</summary>
    public async Task SettleAsync(TimeSpan timeout)
    {
        try
        {
            await _next.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await _giveUp.CancelAsync();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        try { await _next; } catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        _giveUp.Dispose();
    }
}
