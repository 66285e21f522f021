using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http;

/// <summary>
/// Sends on one WebSocket from several places (the receive loop, acknowledgements as they land) one message at a time,
/// and ends a refused upload the same way every time: a JSON error message, then a close with the mapped status.
/// A client that has gone away makes sends no-ops rather than errors.
/// </summary>
public sealed class SocketMessenger(WebSocket socket) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private int _refused;

    public WebSocket Socket => socket;

    public Task SendJsonAsync(object message) =>
        SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, Json));

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>The error message (<see cref="SocketErrorMessage"/>) then a close whose status says what the client should do.
    /// Only the first refusal of a connection is sent, whoever sees it first.</summary>
    public Task RefuseAsync(UploadRefusal refusal) =>
        EndAsync(SocketErrorMessage.For(refusal), RefusalMapping.CloseStatus(refusal.Reason), refusal.Reason.ToString());

    /// <summary>Ends the connection from the server's side: <paramref name="message"/>, then a close with
    /// <paramref name="status"/> (a refusal, or a <c>reconnect</c> when the node or gateway leaves). Only the first ending of a
    /// connection is sent, whoever sees it first; false when another was.</summary>
    public async Task<bool> EndAsync(object message, System.Net.WebSockets.WebSocketCloseStatus status, string description)
    {
        if (Interlocked.Exchange(ref _refused, 1) == 1) return false;
        await SendJsonAsync(message);
        await CloseAsync(status, description);
        return true;
    }

    public async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(status, description, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task SendAsync(byte[] payload)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// Completes the close handshake the server started: reads and discards what the client still sends (it may be mid-file
    /// when refused) until its close arrives or <paramref name="timeout"/> passes, so the client reads the error and the
    /// close status instead of a reset.
    /// </summary>
    public async Task AwaitClientCloseAsync(TimeSpan timeout)
    {
        if (socket.State != WebSocketState.CloseSent) return;
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.CloseSent)
                if ((await socket.ReceiveAsync(buffer.AsMemory(), deadline.Token)).MessageType == WebSocketMessageType.Close) return;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    public void Dispose() => _sending.Dispose();
}
