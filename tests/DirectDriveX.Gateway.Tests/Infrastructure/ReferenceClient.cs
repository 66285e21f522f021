using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>The reference DirectDriveX web client's steps, as it takes them: initiate, a socket of 4 MB chunks, DONE.</summary>
public static class ReferenceClient
{
    public const int ChunkBytes = 4 * 1024 * 1024;

    public static async Task<string> InitiateAsync(HttpClient http, string filename, long size, string contentType = "application/octet-stream")
    {
        using var response = await http.PostAsync("/api/v1/upload/initiate",
            new StringContent(JsonSerializer.Serialize(new { filename, size, content_type = contentType }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("file_id").GetString()!;
    }

    /// <summary>Sends <paramref name="data"/> from its first byte in 4 MB chunks (binary, or base64 text), then DONE.</summary>
    public static async Task SendFileAsync(ClientWebSocket socket, byte[] data, bool base64Text = false)
    {
        for (var offset = 0; offset < data.Length; offset += ChunkBytes)
        {
            var chunk = data.AsMemory(offset, Math.Min(ChunkBytes, data.Length - offset));
            if (base64Text)
                await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { bytes = Convert.ToBase64String(chunk.Span) })), WebSocketMessageType.Text, true, CancellationToken.None);
            else
                await socket.SendAsync(chunk, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        await SendDoneAsync(socket);
    }

    public static Task SendDoneAsync(ClientWebSocket socket) =>
        socket.SendAsync("DONE"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next JSON message; throws when the server closed instead.</summary>
    public static async Task<JsonElement> ReceiveJsonAsync(ClientWebSocket socket) =>
        await ReceiveOrCloseAsync(socket) ?? throw new InvalidOperationException($"Closed: {socket.CloseStatus} {socket.CloseStatusDescription}");

    /// <summary>Every message until the server's close.</summary>
    public static async Task<List<JsonElement>> ReadUntilCloseAsync(ClientWebSocket socket)
    {
        var messages = new List<JsonElement>();
        while (await ReceiveOrCloseAsync(socket) is { } message) messages.Add(message);
        return messages;
    }

    /// <summary>Reads past progress messages to the final one (success or error).</summary>
    public static async Task<JsonElement> ReadPastProgressAsync(ClientWebSocket socket)
    {
        JsonElement last;
        do last = await ReceiveJsonAsync(socket);
        while (last.GetProperty("type").GetString() == "progress");
        return last;
    }

    private static async Task<JsonElement?> ReceiveOrCloseAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[16 * 1024];
        using var text = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            text.Write(buffer, 0, result.Count);
            if (result.EndOfMessage) return JsonDocument.Parse(text.ToArray()).RootElement.Clone();
        }
    }
}
