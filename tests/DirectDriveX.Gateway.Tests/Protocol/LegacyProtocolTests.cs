using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>The reference DirectDriveX web client's protocol, driven as that client drives it.</summary>
[Collection(GatewayCollection.Name)]
public class LegacyProtocolTests(DefaultGatewayFixture fixture)
{
    private const int FourMb = 4 * 1024 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_reference_client_uploads_in_4MB_chunks_then_DONE(bool base64Text)
    {
        var data = TestBytes.Random(10 * 1024 * 1024 + 3, seed: base64Text ? 21 : 20);
        using var initiate = await fixture.Http.PostAsync("/api/v1/upload/initiate",
            new StringContent($$"""{"filename":"../holiday photos/album.zip","size":{{data.Length}},"content_type":"application/zip"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, initiate.StatusCode);
        var started = await initiate.Content.ReadFromJsonAsync<JsonElement>();
        var fileId = started.GetProperty("file_id").GetString()!;
        Assert.Equal("album.zip", started.GetProperty("safe_filename_for_display").GetString());
        Assert.Equal("../holiday photos/album.zip", started.GetProperty("filename").GetString());

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}?gdrive_url=https%3A%2F%2Fignored"), CancellationToken.None);
        for (var offset = 0; offset < data.Length; offset += FourMb)
        {
            var chunk = data.AsMemory(offset, Math.Min(FourMb, data.Length - offset));
            if (base64Text)
                await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { bytes = Convert.ToBase64String(chunk.Span) })), WebSocketMessageType.Text, true, CancellationToken.None);
            else
                await socket.SendAsync(chunk, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        await socket.SendAsync("DONE"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

        var messages = await ReadUntilCloseAsync(socket);
        var progress = messages.Where(m => m.GetProperty("type").GetString() == "progress").Select(m => m.GetProperty("value").GetDouble()).ToList();
        Assert.NotEmpty(progress);
        Assert.Equal(progress.Order(), progress);
        Assert.Equal(100.0, progress[^1]);
        var success = messages[^1];
        Assert.Equal(("success", $"/api/v1/download/stream/{fileId}"), (success.GetProperty("type").GetString(), success.GetProperty("value").GetString()));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);

        using var download = await fixture.Http.GetAsync(success.GetProperty("value").GetString());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_blocked_extension_is_refused_at_initiate()
    {
        using var response = await fixture.Http.PostAsync("/api/v1/upload/initiate",
            new StringContent("""{"filename":"setup.EXE","size":10,"content_type":"application/octet-stream"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("filename: files of type .exe are not accepted.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task DONE_before_all_bytes_is_an_error_message_then_a_close()
    {
        using var initiate = await fixture.Http.PostAsync("/api/v1/upload/initiate",
            new StringContent("""{"filename":"a.bin","size":1000,"content_type":"application/octet-stream"}""", Encoding.UTF8, "application/json"));
        var fileId = (await initiate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("file_id").GetString();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}"), CancellationToken.None);
        await socket.SendAsync(new byte[400], WebSocketMessageType.Binary, true, CancellationToken.None);
        await socket.SendAsync("DONE"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

        var messages = await ReadUntilCloseAsync(socket);
        Assert.Equal(("error", "DONE after 400 of 1000 bytes."), (messages[^1].GetProperty("type").GetString(), messages[^1].GetProperty("value").GetString()));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    private static async Task<List<JsonElement>> ReadUntilCloseAsync(ClientWebSocket socket)
    {
        var messages = new List<JsonElement>();
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var text = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) return messages;
            text.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            messages.Add(JsonDocument.Parse(text.ToArray()).RootElement.Clone());
            text.SetLength(0);
        }
    }
}
