using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Node.Buffers;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>
/// Issue 22: a connection holds a pooled chunk buffer only while its bytes are between the socket and the disk, not for its
/// life, so a node with two buffers serves many more slow connections at once: every one completes byte-identical, none is
/// refused BuffersExhausted, and afterwards no buffer is lent out.
/// </summary>
public sealed class SlowWritersTests : IAsyncLifetime
{
    private const int Uploads = 16;
    private readonly GatewayOverTestCluster _host = new(1, _ => new Dictionary<string, string?>
    {
        ["MemoryBudget:MemoryLimitBytes"] = (4L << 30).ToString(),
        ["ChunkBuffers:MaxBuffers"] = "2",
        ["ChunkBuffers:WaitTimeout"] = "00:00:01",
    })
    {
        EdgeSettings = new Dictionary<string, string?> { ["Clients:MaxConcurrentUploads"] = "100" },
    };
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        await _host.StartAsync();
        _http = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Sixteen_slow_connections_share_two_buffers_and_all_complete()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, Uploads).Select(SlowUploadAsync));

        foreach (var (sent, end) in results)
        {
            Assert.True(end.GetProperty("type").GetString() == "complete", end.ToString()); // never BuffersExhausted
            Assert.Equal(TestBytes.Sha256Hex(sent), end.GetProperty("sha256").GetString());
        }
        var pool = _host.Cluster.GetSiloServiceProvider(_host.Cluster.Silos[0].SiloAddress).GetRequiredService<ChunkBufferPool>();
        Assert.Equal((0, 0), (pool.Statistics.BuffersInUse, pool.Statistics.Waiting));
        Assert.True(pool.Statistics.BuffersAllocated <= 2);
    }

    /// <summary>One client sending 1.5 MiB at about 800 KB/s (16 KiB every 20 ms), each message as it is paced.</summary>
    private async Task<(byte[] Sent, JsonElement End)> SlowUploadAsync(int index)
    {
        var data = TestBytes.Random(1536 * 1024 + index, seed: 2200 + index);
        using var create = await _http.PostAsJsonAsync("/api/v1/uploads", new { fileName = $"slow-{index}.bin", size = data.Length });
        Assert.True(create.IsSuccessStatusCode, await create.Content.ReadAsStringAsync());
        var created = await create.Content.ReadFromJsonAsync<JsonElement>();
        await using var client = await UploadSocketClient.ConnectAsync(new Uri(created.GetProperty("webSocketUrl").GetString()!));
        var ready = (await client.ReceiveJsonAsync())!.Value;
        Assert.Equal("ready", ready.GetProperty("type").GetString());
        var chunk = ready.GetProperty("chunkSize").GetInt32();

        var acks = Task.Run(async () =>
        {
            while (await client.ReceiveJsonAsync() is { } message)
                if (message.GetProperty("type").GetString() != "ack") return message;
            throw new InvalidOperationException($"Closed: {client.Socket.CloseStatus} {client.Socket.CloseStatusDescription}");
        });
        for (var offset = 0; offset < data.Length;)
        {
            var inChunk = chunk - offset % chunk; // a message never crosses the chunk size
            var n = Math.Min(Math.Min(16 * 1024, inChunk), data.Length - offset);
            await client.Socket.SendAsync(data.AsMemory(offset, n), WebSocketMessageType.Binary, offset % chunk + n == chunk || offset + n == data.Length, CancellationToken.None);
            offset += n;
            if (acks.IsCompleted) break; // refused: its message says why
            await Task.Delay(20); // pacing: a slow client, not synchronisation
        }
        return (data, await acks);
    }
}
