using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Protocol;

[Collection(GatewayCollection.Name)]
public class WebSocketProtocolTests(DefaultGatewayFixture fixture)
{
    [Fact]
    public async Task An_upload_over_WebSocket_round_trips_byte_identical()
    {
        var data = TestBytes.Random(40 * 1024 * 1024 + 17, seed: 1);
        var sha = TestBytes.Sha256Hex(data);
        var created = await fixture.CreateUploadAsync("movie.bin", data.Length, sha);

        await using var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        var ready = (await client.ReceiveJsonAsync())!.Value;
        Assert.Equal(("ready", 0L, created.ChunkSize, (long)created.MaxChunksInFlight * created.ChunkSize), (ready.GetProperty("type").GetString(), ready.GetProperty("offset").GetInt64(),
            ready.GetProperty("chunkSize").GetInt32(), ready.GetProperty("window").GetInt64()));

        var end = await client.SendAsync(data, 0, data.Length, created.ChunkSize, created.ReservedBytes);

        Assert.Equal("complete", end.GetProperty("type").GetString());
        Assert.Equal(sha, end.GetProperty("sha256").GetString());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.ClosedAsync());
        var acks = client.Received.Where(m => m.GetProperty("type").GetString() == "ack").Select(m => m.GetProperty("offset").GetInt64()).ToList();
        Assert.Equal(acks.Order(), acks);
        Assert.Equal(data.Length, acks[^1]);
        var lastAck = client.Received.Last(m => m.GetProperty("type").GetString() == "ack");
        Assert.Equal(100.0, lastAck.GetProperty("percent").GetDouble());

        var back = await fixture.Http.GetByteArrayAsync(end.GetProperty("downloadUrl").GetString());
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task A_dropped_connection_resumes_at_the_committed_offset()
    {
        var data = TestBytes.Random(24 * 1024 * 1024, seed: 2);
        var created = await fixture.CreateUploadAsync("resume.bin", data.Length, TestBytes.Sha256Hex(data));

        await using (var first = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl)))
        {
            await first.ReceiveJsonAsync();
            var until = created.ChunkSize * 2L;
            var ack = await first.SendAsync(data, 0, until, created.ChunkSize, created.ReservedBytes);
            Assert.Equal(until, ack.GetProperty("offset").GetInt64());
            first.Socket.Abort(); // no close handshake: the network dropped
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, created.StatusUrl) { Headers = { { "Upload-Token", created.ResumeToken } } };
        var status = await (await fixture.Http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        var committed = status.GetProperty("committedOffset").GetInt64();
        Assert.Equal(created.ChunkSize * 2L, committed);
        Assert.Equal("Receiving", status.GetProperty("state").GetString());

        await using var second = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        var ready = (await second.ReceiveJsonAsync())!.Value;
        Assert.Equal(committed, ready.GetProperty("offset").GetInt64());
        var end = await second.SendAsync(data, committed, data.Length, created.ChunkSize, created.ReservedBytes);
        Assert.Equal("complete", end.GetProperty("type").GetString());
        Assert.Equal(data, await fixture.Http.GetByteArrayAsync(end.GetProperty("downloadUrl").GetString()));
    }

    [Fact]
    public async Task A_bad_token_is_refused_with_a_message_and_1008()
    {
        var created = await fixture.CreateUploadAsync("a.bin", 1000);
        await using var client = await UploadSocketClient.ConnectAsync(fixture.WebSocketUri($"/ws/upload/{created.UploadId}?token=wrong"));
        var error = (await client.ReceiveJsonAsync())!.Value;
        Assert.Equal(("error", "Unauthorized"), (error.GetProperty("type").GetString(), error.GetProperty("reason").GetString()));
        Assert.Equal($"The resume token does not match upload {created.UploadId}.", error.GetProperty("message").GetString());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ClosedAsync());
    }

    [Fact]
    public async Task An_unknown_upload_is_refused_with_a_message_and_1008()
    {
        var id = UploadIds.NewId();
        await using var client = await UploadSocketClient.ConnectAsync(fixture.WebSocketUri($"/ws/upload/{id}?token=x"));
        var error = (await client.ReceiveJsonAsync())!.Value;
        Assert.Equal(("NotFound", $"No upload {id}."), (error.GetProperty("reason").GetString(), error.GetProperty("message").GetString()));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ClosedAsync());
    }

    [Fact]
    public async Task A_message_over_the_chunk_size_is_refused_with_1009()
    {
        var data = TestBytes.Random(5_000_000, seed: 3);
        var created = await fixture.CreateUploadAsync("a.bin", data.Length);
        await using var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        await client.ReceiveJsonAsync();

        var end = await client.SendAsync(data, 0, data.Length, created.ChunkSize + 1, long.MaxValue);

        Assert.Equal(("error", "ChunkTooLarge"), (end.GetProperty("type").GetString(), end.GetProperty("reason").GetString()));
        Assert.Equal($"A binary message is over this upload's chunk size of {created.ChunkSize} bytes.", end.GetProperty("message").GetString());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ClosedAsync());
    }

    [Fact]
    public async Task A_node_that_cannot_renew_the_lease_answers_1013_with_the_reason()
    {
        var data = TestBytes.Random(1_000_000, seed: 4);
        var created = await fixture.CreateUploadAsync("a.bin", data.Length);
        var status = await fixture.Grains.GetGrain<IUploadSessionGrain>(created.UploadId).GetState();
        var node = MemoryBudgetKey.ToSilo(status.LeaseNodeId!);
        // The lease is lost (as when its node died) and the node is full: the next chunk cannot be admitted.
        await fixture.Grains.BudgetOf(node).Release(created.UploadId);
        var blocker = UploadIds.NewId();
        var headroom = (await fixture.Grains.BudgetOf(node).GetSnapshot()).HeadroomBytes;
        Assert.True((await fixture.Grains.BudgetOf(node).TryReserve(blocker, headroom)).Granted);
        try
        {
            await using var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
            await client.ReceiveJsonAsync();
            var end = await client.SendAsync(data, 0, data.Length, created.ChunkSize, created.ReservedBytes);

            Assert.Equal(("error", "InsufficientHeadroom", true), (end.GetProperty("type").GetString(), end.GetProperty("reason").GetString(), end.GetProperty("retryable").GetBoolean()));
            Assert.Equal(0, end.GetProperty("figures").GetProperty("headroomBytes").GetInt64());
            Assert.Equal((WebSocketCloseStatus)1013, await client.ClosedAsync());
        }
        finally
        {
            await fixture.Grains.BudgetOf(node).Release(blocker);
        }
    }

    [Fact]
    public async Task Reconnecting_to_a_completed_upload_repeats_the_completion()
    {
        var data = TestBytes.Random(70_000, seed: 5);
        var created = await fixture.CreateUploadAsync("a.bin", data.Length);
        await using (var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl)))
        {
            await client.ReceiveJsonAsync();
            await client.SendAsync(data, 0, data.Length, created.ChunkSize, created.ReservedBytes);
        }
        await using var again = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        var message = (await again.ReceiveJsonAsync())!.Value;
        Assert.Equal(("complete", TestBytes.Sha256Hex(data)), (message.GetProperty("type").GetString(), message.GetProperty("sha256").GetString()));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await again.ClosedAsync());
    }
}
