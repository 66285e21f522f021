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
        Assert.Equal("album.zip", started.GetProperty("filename").GetString()); // stored and echoed sanitised (issue 8)
        Assert.Equal($"/ws_api/upload_parallel/{fileId}", started.GetProperty("gdrive_upload_url").GetString());

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}?gdrive_url=https%3A%2F%2Fignored"), CancellationToken.None);
        await ReferenceClient.SendFileAsync(socket, data, base64Text);

        var messages = await ReferenceClient.ReadUntilCloseAsync(socket);
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
        var fileId = await ReferenceClient.InitiateAsync(fixture.Http, "a.bin", 1000);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}"), CancellationToken.None);
        await socket.SendAsync(new byte[400], WebSocketMessageType.Binary, true, CancellationToken.None);
        await ReferenceClient.SendDoneAsync(socket);

        var messages = await ReferenceClient.ReadUntilCloseAsync(socket);
        Assert.Equal(("error", "DONE after 400 of 1000 bytes."), (messages[^1].GetProperty("type").GetString(), messages[^1].GetProperty("value").GetString()));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

}
