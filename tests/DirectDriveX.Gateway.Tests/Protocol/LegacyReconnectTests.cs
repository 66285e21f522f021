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
    [Fact]
    public async Task A_reference_client_that_reconnects_and_sends_from_the_start_gets_the_same_file_not_a_shifted_one()
    {
        var data = TestBytes.Random(10 * 1024 * 1024 + 3, seed: 30);
        var fileId = await ReferenceClient.InitiateAsync(fixture.Http, "again.bin", data.Length);
        var socketUri = fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}?gdrive_url=x");

        using (var first = new ClientWebSocket())
        {
            await first.ConnectAsync(socketUri, CancellationToken.None);
            await first.SendAsync(data.AsMemory(0, ReferenceClient.ChunkBytes), WebSocketMessageType.Binary, true, CancellationToken.None);
            // Wait until the first 4 MB are committed (progress reaches 4/10 of the file), then drop without a close.
            while (true)
            {
                var message = await ReferenceClient.ReceiveJsonAsync(first);
                Assert.Equal("progress", message.GetProperty("type").GetString());
                if (message.GetProperty("value").GetDouble() >= Math.Floor(ReferenceClient.ChunkBytes * 1000.0 / data.Length) / 10) break;
            }
            first.Abort();
        }

        using var second = new ClientWebSocket();
        await second.ConnectAsync(socketUri, CancellationToken.None);
        await ReferenceClient.SendFileAsync(second, data);
        var last = await ReferenceClient.ReadPastProgressAsync(second);
        Assert.Equal(("success", $"/api/v1/download/stream/{fileId}"), (last.GetProperty("type").GetString(), last.GetProperty("value").GetString()));
        Assert.Equal(data, await fixture.Http.GetByteArrayAsync(last.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task A_reconnect_after_a_drop_in_the_middle_of_a_chunk_continues_past_the_partly_committed_chunk()
    {
        var data = TestBytes.Random(10 * 1024 * 1024 + 5, seed: 31);
        var fileId = await ReferenceClient.InitiateAsync(fixture.Http, "mid.bin", data.Length);
        var socketUri = fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}");
        var session = fixture.Grains.GetGrain<Grains.Interfaces.IUploadSessionGrain>(fileId);
        var chunkSize = (await session.GetState()).ChunkSize;
        var dropAt = chunkSize + chunkSize / 2;

        using (var first = new ClientWebSocket())
        {
            await first.ConnectAsync(socketUri, CancellationToken.None);
            await first.SendAsync(data.AsMemory(0, dropAt), WebSocketMessageType.Binary, true, CancellationToken.None);
            await ReferenceClient.ReceiveJsonAsync(first);   // the first chunk is committed; the rest waits in the gateway's next chunk
            first.Abort();
        }
        // The gateway keeps what reached it: the half chunk is committed after the drop.
        await Eventually.Holds(() => session.GetState(), s => s.CommittedOffset == dropAt, TimeSpan.FromSeconds(30), "the partial chunk committed");

        using var second = new ClientWebSocket();
        await second.ConnectAsync(socketUri, CancellationToken.None);
        await ReferenceClient.SendFileAsync(second, data);
        var last = await ReferenceClient.ReadPastProgressAsync(second);
        Assert.True(last.GetProperty("type").GetString() == "success", last.ToString());
        Assert.Equal(data, await fixture.Http.GetByteArrayAsync(last.GetProperty("value").GetString()));
    }

}
