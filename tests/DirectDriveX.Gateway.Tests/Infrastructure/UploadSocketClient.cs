using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>A client of the WebSocket protocol as README describes it: ready, windowed binary messages, acks, complete.</summary>
public sealed class UploadSocketClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public WebSocket Socket => _socket;
    public List<JsonElement> Received { get; } = [];

    public static async Task<UploadSocketClient> ConnectAsync(Uri uri)
    {
        var client = new UploadSocketClient();
        await client._socket.ConnectAsync(uri, CancellationToken.None);
        return client;
    }

    /// <summary>The next text message as JSON, or null when the server closed.</summary>
    public async Task<JsonElement?> ReceiveJsonAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            text.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            var json = JsonDocument.Parse(Encoding.UTF8.GetString(text.ToArray())).RootElement.Clone();
            Received.Add(json);
            return json;
        }
    }

    /// <summary>Sends data[from..until) in messages of <paramref name="messageSize"/>, keeping at most the window unacknowledged;
    /// returns the final JSON message (complete or error).</summary>
    public async Task<JsonElement> SendAsync(byte[] data, long from, long until, int messageSize, long window)
    {
        long sent = from, acked = from;
        while (true)
        {
            while (sent < until && sent - acked < window)
            {
                var n = (int)Math.Min(messageSize, until - sent);
                await _socket.SendAsync(data.AsMemory((int)sent, n), WebSocketMessageType.Binary, true, CancellationToken.None);
                sent += n;
            }
            var message = await ReceiveJsonAsync() ?? throw new InvalidOperationException($"Closed: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            var type = message.GetProperty("type").GetString();
            if (type == "ack")
            {
                acked = message.GetProperty("offset").GetInt64();
                if (acked >= until && until < data.Length) return message;
                continue;
            }
            return message;
        }
    }

    /// <summary>Waits for the server's close and returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync()
    {
        while (await ReceiveJsonAsync(TimeSpan.FromSeconds(30)) is not null) { }
        return _socket.CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None); }
            catch (WebSocketException) { }
        }
        _socket.Dispose();
    }
}
