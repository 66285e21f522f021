using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using DirectDriveX.Upload.Protocol;

namespace DirectDriveX.Upload.Transfers;

/// <summary>Reads the gateway's JSON text messages off an upload WebSocket, one whole message at a time.</summary>
internal static class ServerMessageReader
{
    /// <summary>The next text message, or null when the server closed the connection (its close status is then on the socket).
    /// Binary messages are not part of the protocol in this direction and are skipped.</summary>
    public static async Task<ServerMessage?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var text = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            var result = await socket.ReceiveAsync(text.GetMemory(4096), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            text.Advance(result.Count);
            if (!result.EndOfMessage) continue;
            if (result.MessageType == WebSocketMessageType.Text) return ServerMessage.Parse(Encoding.UTF8.GetString(text.WrittenSpan));
            text.Clear();
        }
    }
}
