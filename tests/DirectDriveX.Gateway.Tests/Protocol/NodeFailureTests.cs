using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>Issue 8, item 2: while Orleans cannot reach the silo holding a session, every answer is a typed refusal from the
/// table (NodeUnavailable: 503 + Retry-After, WebSocket 1013), never an empty 500 or a stack trace. A throwaway cluster whose
/// silos fail chosen grain calls with SiloUnavailableException (<see cref="UnreachableGrains"/>).</summary>
public sealed class NodeFailureTests : IAsyncLifetime
{
    private const long GiB = 1024L * 1024 * 1024;
    // Silo_1 has the most memory, so routing places the session there (never on Silo_0, the primary).
    private static readonly Dictionary<string, long> Caps = new() { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 3 * GiB, ["Silo_2"] = 2 * GiB };
    private readonly GatewayOverTestCluster _host = new(3, silo => new Dictionary<string, string?>
    {
        ["MemoryBudget:MemoryLimitBytes"] = Caps[silo].ToString(),
    }, silo => silo.AddIncomingGrainCallFilter<UnreachableGrains>());
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        await _host.StartAsync();
        _http = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Status_abort_download_and_reconnect_are_typed_while_the_sessions_silo_is_unreachable()
    {
        var data = TestBytes.Random(200_000, seed: 90);
        using var create = await _http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "held.bin", size = data.Length });
        var created = await create.Content.ReadFromJsonAsync<JsonElement>();
        var (id, token) = (created.GetProperty("uploadId").GetString()!, created.GetProperty("resumeToken").GetString()!);
        Assert.Equal("Silo_1", created.GetProperty("node").GetString());
        using (var firstPut = await SendAsync(HttpMethod.Put, $"/api/v1/uploads/{id}/chunks?offset=0", token, data.AsMemory(0, 100_000)))
            Assert.Equal(HttpStatusCode.OK, firstPut.StatusCode);

        UnreachableGrains.Break(id);

        using var status = await SendAsync(HttpMethod.Get, $"/api/v1/uploads/{id}", token);
        await AssertNodeUnavailableAsync(status);
        using var abort = await SendAsync(HttpMethod.Delete, $"/api/v1/uploads/{id}", token);
        await AssertNodeUnavailableAsync(abort);
        using var download = await _http.GetAsync($"/api/v1/files/{id}");
        await AssertNodeUnavailableAsync(download);
        using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/v1/download/stream/{id}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
        using var meta = await _http.GetAsync($"/api/v1/files/{id}/meta");
        await AssertNodeUnavailableAsync(meta);
        using var put = await SendAsync(HttpMethod.Put, $"/api/v1/uploads/{id}/chunks?offset=100000", token, data.AsMemory(100_000));
        await AssertNodeUnavailableAsync(put, "No live node holds this upload right now; retry shortly."); // the gateway's forwarding

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{_host.BaseAddress.Authority}/ws/upload/{id}?token={token}"), CancellationToken.None);
        var buffer = new byte[8192];
        var first = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Text, first.MessageType);
        var message = JsonDocument.Parse(buffer.AsMemory(0, first.Count)).RootElement;
        Assert.Equal(("error", "NodeUnavailable", true), (message.GetProperty("type").GetString(), message.GetProperty("reason").GetString(), message.GetProperty("retryable").GetBoolean()));
        Assert.DoesNotContain("Exception", message.GetProperty("message").GetString());
        while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close) { }
        Assert.Equal((WebSocketCloseStatus)1013, socket.CloseStatus);

        UnreachableGrains.Heal(id);
        using var healed = await SendAsync(HttpMethod.Get, $"/api/v1/uploads/{id}", token);
        Assert.Equal(100_000, (await healed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("committedOffset").GetInt64());
    }

    [Fact]
    public async Task A_socket_whose_completion_cannot_reach_the_session_is_told_NodeUnavailable_and_can_complete_later()
    {
        var data = TestBytes.Random(200_000, seed: 91);
        using var create = await _http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "late.bin", size = data.Length });
        var created = await create.Content.ReadFromJsonAsync<JsonElement>();
        var url = new Uri(created.GetProperty("webSocketUrl").GetString()!);
        var id = created.GetProperty("uploadId").GetString()!;
        UnreachableGrains.Break(id, "Complete");
        try
        {
            await using var client = await UploadSocketClient.ConnectAsync(url);
            await client.ReceiveJsonAsync();
            var end = await client.SendAsync(data, 0, data.Length, created.GetProperty("chunkSize").GetInt32(), long.MaxValue);
            Assert.Equal(("error", "NodeUnavailable", true), (end.GetProperty("type").GetString(), end.GetProperty("reason").GetString(), end.GetProperty("retryable").GetBoolean()));
            Assert.Equal("The node holding this upload or file cannot be reached now; retry shortly.", end.GetProperty("message").GetString());
            Assert.Equal((WebSocketCloseStatus)1013, await client.ClosedAsync());
        }
        finally
        {
            UnreachableGrains.Heal(id);
        }
        await using var again = await UploadSocketClient.ConnectAsync(url);
        Assert.Equal("ready", (await again.ReceiveJsonAsync())!.Value.GetProperty("type").GetString());
        var complete = (await again.ReceiveJsonAsync())!.Value;
        Assert.Equal(("complete", TestBytes.Sha256Hex(data)), (complete.GetProperty("type").GetString(), complete.GetProperty("sha256").GetString()));
    }

    /// <summary>503 NodeUnavailable problem+json with Retry-After and a message free of exception text.</summary>
    private static async Task AssertNodeUnavailableAsync(HttpResponseMessage response,
        string detail = "The node holding this upload or file cannot be reached now; retry shortly.")
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(("NodeUnavailable", detail),
            (problem.GetProperty("reason").GetString(), problem.GetProperty("detail").GetString()));
    }

    /// <summary>Either a success or a refusal from the table: never a 500, an empty body or exception text.</summary>
    private static async Task AssertTypedAsync(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable) { await AssertNodeUnavailableAsync(response); return; }
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {body}");
        Assert.DoesNotContain("Exception", body);
        if ((int)response.StatusCode >= 400)
            Assert.True(JsonDocument.Parse(body).RootElement.TryGetProperty("reason", out _), body);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, ReadOnlyMemory<byte>? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Headers = { { "Upload-Token", token } } };
        if (body is { } bytes)
            request.Content = new ReadOnlyMemoryContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } };
        return _http.SendAsync(request);
    }
}
