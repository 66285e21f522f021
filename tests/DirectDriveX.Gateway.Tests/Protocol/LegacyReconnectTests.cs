using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>The reference client knows no offsets: after a drop it connects again and sends its file from the first byte.</summary>
[Collection(GatewayCollection.Name)]
public class LegacyReconnectTests(DefaultGatewayFixture fixture)
{
    private const int FourMb = 4 * 1024 * 1024;

    [Fact]
    public async Task A_reference_client_that_reconnects_and_sends_from_the_start_gets_the_same_file_not_a_shifted_one()
    {
        var data = TestBytes.Random(10 * 1024 * 1024 + 3, seed: 30);
        using var initiate = await fixture.Http.PostAsync("/api/v1/upload/initiate",
            new StringContent($$"""{"filename":"again.bin","size":{{data.Length}},"content_type":"application/octet-stream"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, initiate.StatusCode);
        var fileId = (await initiate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("file_id").GetString()!;
        var socketUri = fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}?gdrive_url=x");

        using (var first = new ClientWebSocket())
        {
            await first.ConnectAsync(socketUri, CancellationToken.None);
            await first.SendAsync(data.AsMemory(0, FourMb), WebSocketMessageType.Binary, true, CancellationToken.None);
            // Wait until the first 4 MB are committed (progress reaches 4/10 of the file), then drop without a close.
            while (true)
            {
                var message = await ReceiveJsonAsync(first);
                Assert.Equal("progress", message.GetProperty("type").GetString());
                if (message.GetProperty("value").GetDouble() >= Math.Floor(FourMb * 1000.0 / data.Length) / 10) break;
            }
            first.Abort();
        }

        using var second = new ClientWebSocket();
        await second.ConnectAsync(socketUri, CancellationToken.None);
        for (var offset = 0; offset < data.Length; offset += FourMb)
            await second.SendAsync(data.AsMemory(offset, Math.Min(FourMb, data.Length - offset)), WebSocketMessageType.Binary, true, CancellationToken.None);
        await second.SendAsync("DONE"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

        JsonElement last;
        do last = await ReceiveJsonAsync(second);
        while (last.GetProperty("type").GetString() == "progress");
        Assert.Equal(("success", $"/api/v1/download/stream/{fileId}"), (last.GetProperty("type").GetString(), last.GetProperty("value").GetString()));
        Assert.Equal(data, await fixture.Http.GetByteArrayAsync(last.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task A_reconnect_after_a_drop_in_the_middle_of_a_chunk_continues_past_the_partly_committed_chunk()
    {
        var data = TestBytes.Random(10 * 1024 * 1024 + 5, seed: 31);
        using var initiate = await fixture.Http.PostAsync("/api/v1/upload/initiate",
            new StringContent($$"""{"filename":"mid.bin","size":{{data.Length}},"content_type":"application/octet-stream"}""", Encoding.UTF8, "application/json"));
        var fileId = (await initiate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("file_id").GetString()!;
        var socketUri = fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}");
        var session = fixture.Grains.GetGrain<Grains.Interfaces.IUploadSessionGrain>(fileId);
        var chunkSize = (await session.GetStatus()).ChunkSize;
        var dropAt = chunkSize + chunkSize / 2;

        using (var first = new ClientWebSocket())
        {
            await first.ConnectAsync(socketUri, CancellationToken.None);
            await first.SendAsync(data.AsMemory(0, dropAt), WebSocketMessageType.Binary, true, CancellationToken.None);
            await ReceiveJsonAsync(first);   // the first chunk is committed; the rest waits in the gateway's next chunk
            first.Abort();
        }
        // The gateway keeps what reached it: the half chunk is committed after the drop.
        await Eventually.Holds(() => session.GetStatus(), s => s.CommittedOffset == dropAt, TimeSpan.FromSeconds(30), "the partial chunk committed");

        using var second = new ClientWebSocket();
        await second.ConnectAsync(socketUri, CancellationToken.None);
        for (var offset = 0; offset < data.Length; offset += FourMb)
            await second.SendAsync(data.AsMemory(offset, Math.Min(FourMb, data.Length - offset)), WebSocketMessageType.Binary, true, CancellationToken.None);
        await second.SendAsync("DONE"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

        JsonElement last;
        do last = await ReceiveJsonAsync(second);
        while (last.GetProperty("type").GetString() == "progress");
        Assert.True(last.GetProperty("type").GetString() == "success", last.ToString());
        Assert.Equal(data, await fixture.Http.GetByteArrayAsync(last.GetProperty("value").GetString()));
    }

    private static async Task<JsonElement> ReceiveJsonAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[16 * 1024];
        using var text = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                throw new InvalidOperationException($"Closed: {socket.CloseStatus} {socket.CloseStatusDescription}");
            text.Write(buffer, 0, result.Count);
            if (result.EndOfMessage) return JsonDocument.Parse(text.ToArray()).RootElement.Clone();
        }
    }
}
