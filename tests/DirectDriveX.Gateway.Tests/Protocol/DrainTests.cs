using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Protocols;
using Microsoft.Extensions.DependencyInjection;
using DirectDriveX.Http;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>
/// Zero-downtime operations (issue 17) over a real gateway, a TestingHost cluster and sockets: a node that drains (what its
/// SIGTERM runs) leaves routing at once, tells its upload connection to reconnect (a typed message and close 1012) after
/// committing what it holds, and lets the session go, so that the client's reconnect continues on a survivor from the
/// committed offset; a gateway that leaves has the nodes end the connections it forwarded (close 1001).
/// </summary>
public sealed class DrainTests : IAsyncLifetime
{
    private const long GiB = 1024L * 1024 * 1024;
    private static readonly Dictionary<string, long> Caps = new() { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 2 * GiB, ["Silo_2"] = 3 * GiB };
    private readonly GatewayOverTestCluster _host = new(3, silo => new Dictionary<string, string?>
    {
        ["MemoryBudget:MemoryLimitBytes"] = Caps[silo].ToString(),
    });
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

    private SiloHttpServer ServerOf(string silo) =>
        _host.Cluster.Silos.Single(s => s.Name == silo).ServiceProvider.GetRequiredService<SiloHttpServer>();

    private async Task<(string UploadId, Uri Socket, int Chunk, string Node)> CreateAsync(byte[] data, Uri? gateway = null)
    {
        using var http = new HttpClient { BaseAddress = gateway ?? _host.BaseAddress };
        using var response = await http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "drain.bin", size = data.Length, sha256 = TestBytes.Sha256Hex(data) });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var uploadId = created.GetProperty("uploadId").GetString()!;
        var token = created.GetProperty("resumeToken").GetString()!;
        return (uploadId, new Uri($"ws://{(gateway ?? _host.BaseAddress).Authority}/ws/upload/{uploadId}?token={Uri.EscapeDataString(token)}"),
            created.GetProperty("chunkSize").GetInt32(), created.GetProperty("node").GetString()!);
    }

    /// <summary>The server's end of a connection told to reconnect: the message, then its close, which the client answers.</summary>
    private static async Task<(JsonElement Message, WebSocketCloseStatus? Status)> ToldToReconnectAsync(UploadSocketClient client)
    {
        var message = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(message);
        var status = await client.ClosedAsync();
        if (client.Socket.State == WebSocketState.CloseReceived)
            await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "reconnecting", CancellationToken.None);
        return (message!.Value, status);
    }

    /// <summary>Reconnects as a client does, at once: a <c>reconnect</c> (the connection reached the leaving node before it
    /// let the session go) or a retryable <c>NodeUnavailable</c> (the session moving) means connect again. The upload must
    /// be going again within 5 s (issue 17's longest stall).</summary>
    private async Task<JsonElement> ResumeAndFinishAsync(Uri socketUri, byte[] data, long expectedOffset, int chunk)
    {
        var started = TimeProvider.System.GetTimestamp();
        var (second, ready) = await Eventually.Holds<(UploadSocketClient? Client, JsonElement? Ready)>(async () =>
        {
            var client = await UploadSocketClient.ConnectAsync(socketUri);
            var first = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(30));
            if (first?.GetProperty("type").GetString() == "ready") return (client, first);
            Assert.True(first?.GetProperty("type").GetString() == "reconnect" || first?.GetProperty("reason").GetString() == "NodeUnavailable",
                $"only a reconnect or NodeUnavailable may come meanwhile, not {first}");
            await client.DisposeAsync();
            return (null, null);
        }, r => r.Client is not null, TimeSpan.FromSeconds(30), "the upload's session answers on a survivor");
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(5));
        await using var _ = second!;
        Assert.Equal(expectedOffset, ready!.Value.GetProperty("offset").GetInt64());
        return await second!.SendAsync(data, expectedOffset, data.Length, chunk, ready.Value.GetProperty("window").GetInt64());
    }

    [Fact]
    public async Task A_draining_node_tells_its_upload_to_reconnect_and_the_reconnect_continues_on_a_survivor_at_once()
    {
        var data = TestBytes.Random(24 * 1024 * 1024 + 5, seed: 170);
        var (uploadId, socketUri, chunk, node) = await CreateAsync(data);
        Assert.Equal("Silo_2", node); // the most headroom
        var draining = ServerOf("Silo_2");

        await using (var first = await UploadSocketClient.ConnectAsync(socketUri))
        {
            await first.ReceiveJsonAsync();
            var ack = await first.SendAsync(data, 0, chunk * 2L, chunk, chunk * 2L);
            Assert.Equal(chunk * 2L, ack.GetProperty("offset").GetInt64());

            var drain = draining.Connections.DrainAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            var (message, status) = await ToldToReconnectAsync(first);
            Assert.Equal(("reconnect", "NodeDraining", chunk * 2L), (message.GetProperty("type").GetString(),
                message.GetProperty("reason").GetString(), message.GetProperty("offset").GetInt64()));
            Assert.Equal(ReconnectNotice.ServiceRestart, status);
            Assert.Equal(0, await drain); // every connection ended by itself: none aborted
        }

        // Out of routing at once: its snapshot says so, a new upload goes elsewhere.
        Assert.True((await _host.Grains.BudgetOf(_host.Cluster.Silos.Single(s => s.Name == "Silo_2").SiloAddress).GetSnapshot()).Draining);
        var (_, _, _, otherNode) = await CreateAsync(TestBytes.Random(1024, seed: 171));
        Assert.NotEqual("Silo_2", otherNode);

        // The session was let go: the first reconnect is served by a survivor, from the committed offset.
        var end = await ResumeAndFinishAsync(socketUri, data, chunk * 2L, chunk);
        Assert.Equal(("complete", TestBytes.Sha256Hex(data)), (end.GetProperty("type").GetString(), end.GetProperty("sha256").GetString()));
        Assert.NotEqual("Silo_2", end.GetProperty("node").GetString());
        Assert.Equal(data, await _http.GetByteArrayAsync($"/api/v1/files/{uploadId}"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_PUT_in_flight_on_a_draining_node_is_answered_with_its_committed_offset_and_the_rest_goes_to_a_survivor(bool throughGateway)
    {
        var data = TestBytes.Random(20 * 1024 * 1024 + 9, seed: 173);
        using var response = await _http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "put.bin", size = data.Length, sha256 = TestBytes.Sha256Hex(data) });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var (uploadId, token, chunk) = (created.GetProperty("uploadId").GetString()!, created.GetProperty("resumeToken").GetString()!, created.GetProperty("chunkSize").GetInt32());
        Assert.Equal("Silo_2", created.GetProperty("node").GetString());

        // A PUT of the whole file whose body stops after two chunks: the client is slow, and the node leaves meanwhile. It
        // reads the answer while its body is unfinished: sent to the node's data plane as the gateway forwards it, or through
        // the gateway, which must relay the node's early answer although the body it forwards is unfinished too.
        var node = new Uri((await _host.Grains.BudgetOf(_host.Cluster.Silos.Single(s => s.Name == "Silo_2").SiloAddress).GetSnapshot()).DataPlaneUrl!);
        await using var put = await UnfinishedRequest.BeginAsync(throughGateway ? _host.BaseAddress : node, "PUT",
            $"/api/v1/uploads/{uploadId}/chunks?offset=0", [("Upload-Token", token), ("Content-Type", "application/octet-stream")],
            data.Length, data.AsMemory(0, chunk * 2));
        var committedBefore = await Eventually.Holds(async () =>
        {
            using var status = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/uploads/{uploadId}");
            status.Headers.Add("Upload-Token", token);
            return (await (await _http.SendAsync(status)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("committedOffset").GetInt64();
        }, committed => committed >= chunk, TimeSpan.FromSeconds(30), "a chunk is committed");

        var drain = ServerOf("Silo_2").Connections.DrainAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        var early = await put.AnswerAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("HTTP/1.1 503 Service Unavailable", early.StatusLine);
        Assert.Equal("application/problem+json", early.Header("Content-Type"));
        // The node closes the connection; the gateway reads and discards what the client still sends, as after any early answer.
        Assert.Equal(throughGateway ? "" : "close", early.Header("Connection"));
        var problem = JsonDocument.Parse(early.Body).RootElement;
        // Everything that reached the node is committed before the answer: at least what was, at most what was sent.
        var offset = problem.GetProperty("expectedOffset").GetInt64();
        Assert.InRange(offset, committedBefore, chunk * 2L);
        Assert.Equal((503, "NodeUnavailable", $"{ReconnectNotice.NodeDraining.Message} {offset} bytes are committed."),
            (problem.GetProperty("status").GetInt32(), problem.GetProperty("reason").GetString(), problem.GetProperty("detail").GetString()));
        Assert.Equal(early.Header("Retry-After"), problem.GetProperty("retryAfterSeconds").GetInt32().ToString());
        Assert.Equal(0, await drain);

        // The rest, from the offset it was given, lands on a survivor (the session was let go) and completes the file.
        // As a client does: a 503 (the request reached the leaving node before it let the session go, or the session is
        // moving) is sent again at once; the rest must be going within 5 s.
        var resending = TimeProvider.System.GetTimestamp();
        using var finished = await Eventually.Holds(async () =>
        {
            using var rest = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{uploadId}/chunks?offset={offset}")
            {
                Content = new ByteArrayContent(data, (int)offset, data.Length - (int)offset),
            };
            rest.Headers.Add("Upload-Token", token);
            rest.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            var answer = await _http.SendAsync(rest);
            if (answer.StatusCode != System.Net.HttpStatusCode.OK)
                Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            return answer;
        }, answer => answer.StatusCode == System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the rest is taken by a survivor");
        Assert.InRange(TimeProvider.System.GetElapsedTime(resending), TimeSpan.Zero, TimeSpan.FromSeconds(5));
        var file = await finished.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(System.Net.HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal(TestBytes.Sha256Hex(data), file.GetProperty("sha256").GetString());
        Assert.NotEqual("Silo_2", file.GetProperty("node").GetString());
        Assert.Equal(data, await _http.GetByteArrayAsync($"/api/v1/files/{uploadId}"));
    }

    [Fact]
    public async Task A_leaving_gateway_has_the_node_end_its_forwarded_upload_with_1001_and_the_upload_resumes_through_another()
    {
        var second = await _host.StartGatewayAsync();
        var data = TestBytes.Random(16 * 1024 * 1024 + 7, seed: 172);
        var (uploadId, socketUri, chunk, _) = await CreateAsync(data);
        await using (var first = await UploadSocketClient.ConnectAsync(socketUri))
        {
            await first.ReceiveJsonAsync();
            var ack = await first.SendAsync(data, 0, chunk, chunk, chunk * 2L);
            Assert.Equal((long)chunk, ack.GetProperty("offset").GetInt64());

            var gateway = _host.Gateways[0].Services.GetRequiredService<GatewayDrain>();
            var leaving = gateway.StoppingAsync(CancellationToken.None);
            var (message, status) = await ToldToReconnectAsync(first);
            Assert.Equal(("reconnect", "GatewayDraining"), (message.GetProperty("type").GetString(), message.GetProperty("reason").GetString()));
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
            await leaving;
            Assert.Equal(0, gateway.Forwarding);

            // The leaving gateway answers probes 503 and refuses new requests, typed and retryable.
            using var probe = new HttpClient { BaseAddress = _host.BaseAddress };
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/readyz")).StatusCode);
            using var refused = await probe.PostAsJsonAsync("/api/v1/uploads", new { fileName = "late.bin", size = 1024 });
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        var resumeUri = new Uri($"ws://{second.Authority}{socketUri.PathAndQuery}");
        var end = await ResumeAndFinishAsync(resumeUri, data, chunk, chunk);
        Assert.Equal(("complete", TestBytes.Sha256Hex(data)), (end.GetProperty("type").GetString(), end.GetProperty("sha256").GetString()));
        using var download = new HttpClient { BaseAddress = second };
        Assert.Equal(data, await download.GetByteArrayAsync($"/api/v1/files/{uploadId}"));
    }
}
