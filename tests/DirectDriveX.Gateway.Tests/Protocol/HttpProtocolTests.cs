using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Protocol;

[Collection(GatewayCollection.Name)]
public class HttpProtocolTests(DefaultGatewayFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task A_multipart_upload_streams_to_a_node_and_downloads_back_with_ranges()
    {
        var data = TestBytes.Random(12 * 1024 * 1024 + 5, seed: 10);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(data);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/x-test");
        form.Add(file, "file", "report.bin");

        using var response = await Http.PostAsync("/api/v1/upload", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((TestBytes.Sha256Hex(data), (long)data.Length, "report.bin", "application/x-test"),
            (stored.GetProperty("sha256").GetString(), stored.GetProperty("size").GetInt64(), stored.GetProperty("fileName").GetString(), stored.GetProperty("contentType").GetString()));
        var url = stored.GetProperty("downloadUrl").GetString()!;

        using var whole = await Http.GetAsync(url);
        Assert.Equal(data.Length, whole.Content.Headers.ContentLength);
        Assert.Equal(TestBytes.Sha256Hex(data), whole.Headers.GetValues("X-Content-SHA256").Single());
        Assert.Equal(data, await whole.Content.ReadAsByteArrayAsync());

        using var ranged = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(5_000_000, 5_000_099) } };
        using var part = await Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal($"bytes 5000000-5000099/{data.Length}", part.Content.Headers.ContentRange!.ToString());
        Assert.Equal(data.AsSpan(5_000_000, 100).ToArray(), await part.Content.ReadAsByteArrayAsync());

        var meta = await Http.GetFromJsonAsync<JsonElement>(url + "/meta");
        Assert.Equal("report.bin", meta.GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task A_multipart_upload_with_a_wrong_declared_hash_is_refused_422()
    {
        var data = TestBytes.Random(100_000, seed: 11);
        using var form = new MultipartFormDataContent { { new StringContent(new string('a', 64)), "sha256" }, { new ByteArrayContent(data), "file", "x.bin" } };
        using var response = await Http.PostAsync("/api/v1/upload", form);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("HashMismatch", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Chunks_over_HTTP_need_the_committed_offset_and_complete_the_upload()
    {
        var data = TestBytes.Random(300_000, seed: 12);
        var created = await fixture.CreateUploadAsync("put.bin", data.Length, TestBytes.Sha256Hex(data));

        var gap = await Put(created, 100, data.AsMemory(100, 1000));
        Assert.Equal(HttpStatusCode.Conflict, gap.StatusCode);
        var problem = await gap.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("OffsetMismatch", 0L), (problem.GetProperty("reason").GetString(), problem.GetProperty("expectedOffset").GetInt64()));

        var first = await Put(created, 0, data.AsMemory(0, 200_000));
        Assert.Equal(200_000, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("committedOffset").GetInt64());
        var last = await Put(created, 200_000, data.AsMemory(200_000));
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Equal(TestBytes.Sha256Hex(data), (await last.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_node_refusing_a_PUT_before_its_body_is_sent_is_answered_through_the_gateway_while_the_client_still_sends()
    {
        // The node refuses at once (wrong offset) without reading the body; the client has sent 64 KiB of a declared 8 MiB and
        // waits. The gateway relays the node's answer as it is.
        var data = TestBytes.Random(8 * 1024 * 1024, seed: 13);
        var created = await fixture.CreateUploadAsync("early.bin", data.Length);
        await using var put = await UnfinishedRequest.BeginAsync(fixture.BaseAddress, "PUT", $"/api/v1/uploads/{created.UploadId}/chunks?offset=4096",
            [("Upload-Token", created.ResumeToken), ("Content-Type", "application/octet-stream")], data.Length - 4096, data.AsMemory(4096, 64 * 1024));

        var answer = await put.AnswerAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("HTTP/1.1 409 Conflict", answer.StatusLine);
        Assert.Equal("application/problem+json", answer.Header("Content-Type"));
        var problem = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal((409, "OffsetMismatch", 0L, "Chunk at offset 4096; the upload continues at 0."),
            (problem.GetProperty("status").GetInt32(), problem.GetProperty("reason").GetString(), problem.GetProperty("expectedOffset").GetInt64(),
                problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Status_and_abort_need_the_token_and_abort_returns_the_lease()
    {
        var created = await fixture.CreateUploadAsync("abort.bin", 5_000_000);
        using (var noToken = await Http.GetAsync(created.StatusUrl))
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, created.StatusUrl) { Headers = { { "Upload-Token", created.ResumeToken } } };
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(delete)).StatusCode);

        using var status = new HttpRequestMessage(HttpMethod.Get, created.StatusUrl) { Headers = { { "Upload-Token", created.ResumeToken } } };
        Assert.Equal("Aborted", (await (await Http.SendAsync(status)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var nodes = await fixture.SnapshotsAsync();
        Assert.False(await fixture.Grains.BudgetOf(MemoryBudgetKey.ToSilo(nodes.Single(n => n.NodeName == created.Node).NodeId)).Renew(created.UploadId));
    }

    [Theory]
    [InlineData("{\"size\":10}", "fileName: must not be empty.")]
    [InlineData("{\"fileName\":\"a\",\"size\":-1}", "size: must be a number of bytes, 0 or more.")]
    [InlineData("{\"fileName\":\"a\",\"size\":10,\"sha256\":\"xyz\"}", "sha256: must be 64 hexadecimal characters.")]
    public async Task Bad_input_is_a_400_naming_the_field(string body, string detail)
    {
        using var response = await Http.PostAsync("/api/v1/uploads", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("InvalidRequest", detail), (problem.GetProperty("reason").GetString(), problem.GetProperty("detail").GetString()));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_file_over_the_maximum_is_a_413()
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "huge.iso", size = 21L * 1024 * 1024 * 1024 });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("FileTooLarge", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task No_headroom_anywhere_is_a_503_with_Retry_After_and_the_figures()
    {
        var blockers = new List<(SiloAddress Silo, string Id)>();
        try
        {
            foreach (var node in await fixture.SnapshotsAsync())
            {
                var id = UploadIds.NewId();
                var silo = MemoryBudgetKey.ToSilo(node.NodeId);
                Assert.True((await fixture.Grains.BudgetOf(silo).TryReserve(id, node.HeadroomBytes - 1024)).Granted);
                blockers.Add((silo, id));
            }

            using var response = await Http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "big.bin", size = 1_000_000_000L });

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("InsufficientHeadroom", 5), (problem.GetProperty("reason").GetString(), problem.GetProperty("retryAfterSeconds").GetInt32()));
            var figures = problem.GetProperty("figures");
            Assert.Equal((100_000_000L, 1024L), (figures.GetProperty("requestedBytes").GetInt64(), figures.GetProperty("headroomBytes").GetInt64()));
        }
        finally
        {
            foreach (var (silo, id) in blockers) await fixture.Grains.BudgetOf(silo).Release(id);
        }
    }

    [Fact]
    public async Task Unknown_files_are_404_problems_and_health_answers()
    {
        using var missing = await Http.GetAsync($"/api/v1/files/{UploadIds.NewId()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NotFound", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/healthz")).StatusCode);
        var ready = await Http.GetFromJsonAsync<JsonElement>("/readyz");
        Assert.Equal(3, ready.GetProperty("nodes").GetInt32());
        var nodes = await Http.GetFromJsonAsync<JsonElement[]>("/api/v1/cluster/nodes");
        Assert.Equal(["Silo_0", "Silo_1", "Silo_2"], nodes!.Select(n => n.GetProperty("node").GetString()));
    }

    private async Task<HttpResponseMessage> Put(GatewayFixture.Created created, long offset, ReadOnlyMemory<byte> body)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{created.UploadId}/chunks?offset={offset}")
        {
            Content = new ReadOnlyMemoryContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
            Headers = { { "Upload-Token", created.ResumeToken } },
        };
        return await Http.SendAsync(request);
    }
}
