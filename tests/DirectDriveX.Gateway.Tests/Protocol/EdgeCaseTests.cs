using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>The exact answers for the edge cases of issue 8, item 8: real gateway, real silos, real sockets.</summary>
[Collection(GatewayCollection.Name)]
public class EdgeCaseTests(DefaultGatewayFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Theory]
    [InlineData("{\"fileName\":\"a\",\"size\":", "body: not valid JSON (line 1, byte 24); send a JSON object {fileName, size, contentType?, sha256?}.")]
    [InlineData("[1,2]", "body: a JSON array, not a JSON object {fileName, size, contentType?, sha256?}.")]
    [InlineData("{\"fileName\":\"a\",\"size\":\"abc\"}", "size: must be a whole number of bytes from 0 to 9223372036854775807 (was \"abc\").")]
    [InlineData("{\"fileName\":\"a\",\"size\":1e30}", "size: must be a whole number of bytes from 0 to 9223372036854775807 (was 1e30).")]
    [InlineData("{\"fileName\":\"a\",\"size\":10.5}", "size: must be a whole number of bytes from 0 to 9223372036854775807 (was 10.5).")]
    [InlineData("{\"fileName\":7,\"size\":10}", "fileName: must be a string.")]
    [InlineData("", "body: not valid JSON (line 1, byte 1); send a JSON object {fileName, size, contentType?, sha256?}.")]
    public async Task A_create_body_that_is_not_a_request_is_a_400_problem_naming_the_field(string body, string detail)
    {
        using var response = await Http.PostAsync("/api/v1/uploads", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(("InvalidRequest", detail), (problem.GetProperty("reason").GetString(), problem.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("text/plain", "Content-Type: must be application/json (was text/plain; charset=utf-8).")]
    [InlineData("application/x-www-form-urlencoded", "Content-Type: must be application/json (was application/x-www-form-urlencoded; charset=utf-8).")]
    public async Task A_create_body_that_is_not_JSON_is_a_415_problem(string mediaType, string detail)
    {
        using var response = await Http.PostAsync("/api/v1/uploads", new StringContent("{\"fileName\":\"a\",\"size\":10}", Encoding.UTF8, mediaType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("UnsupportedMediaType", detail), (problem.GetProperty("reason").GetString(), problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_create_without_a_Content_Type_is_a_415_problem()
    {
        using var content = new ByteArrayContent("{\"fileName\":\"a\",\"size\":10}"u8.ToArray());
        using var response = await Http.PostAsync("/api/v1/uploads", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("UnsupportedMediaType", "Content-Type: must be application/json (was absent)."),
            (problem.GetProperty("reason").GetString(), problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Deleting_a_completed_upload_deletes_its_file_with_the_files_own_authorisation_and_401_without_it()
    {
        var data = TestBytes.Random(50_000, seed: 80);
        var created = await fixture.CreateUploadAsync("keep.bin", data.Length);
        string deleteToken;
        using (var put = await PutAsync(created, 0, data))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            deleteToken = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deleteToken").GetString()!;
        }
        HttpRequestMessage Delete(string? token)
        {
            var request = new HttpRequestMessage(HttpMethod.Delete, created.StatusUrl) { Headers = { { "Upload-Token", created.ResumeToken } } };
            if (token is not null) request.Headers.Add("X-Delete-Token", token);
            return request;
        }

        // The resume token alone authorises the upload, not its stored file: the file's uploader deletes it (as DELETE /api/v1/files/{id}).
        using (var response = await Http.SendAsync(Delete(null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("Unauthenticated", $"Deleting file {created.UploadId} needs the API key that uploaded it, or the deleteToken its upload was given."),
                (problem.GetProperty("reason").GetString(), problem.GetProperty("detail").GetString()));
        }
        using (var response = await Http.SendAsync(Delete(DirectDriveX.Grains.Interfaces.FileLifecycle.NewDeleteToken().Token)))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(data, await Http.GetByteArrayAsync($"/api/v1/files/{created.UploadId}"));

        using (var response = await Http.SendAsync(Delete(deleteToken))) Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using (var download = await Http.GetAsync($"/api/v1/files/{created.UploadId}")) Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        using (var again = await Http.SendAsync(Delete(deleteToken)))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal("NotFound", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        }
    }

    [Theory]
    [InlineData("/api/v1/files/{0}")]
    [InlineData("/api/v1/download/stream/{0}")]
    public async Task Downloads_ignore_foreign_range_units_carry_Content_Range_on_416_and_answer_HEAD(string path)
    {
        var data = TestBytes.Random(10_000, seed: 81);
        var url = string.Format(path, await StoredAsync("ranges.bin", data));

        using var items = new HttpRequestMessage(HttpMethod.Get, url);
        items.Headers.TryAddWithoutValidation("Range", "items=0-10");
        using var whole = await Http.SendAsync(items);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Null(whole.Content.Headers.ContentRange);
        Assert.Equal(data, await whole.Content.ReadAsByteArrayAsync());

        using var beyond = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(20_000, 20_010) } };
        using var unsatisfiable = await Http.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */10000", unsatisfiable.Content.Headers.ContentRange!.ToString());

        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(10_000, head.Content.Headers.ContentLength);
        Assert.Equal("bytes", head.Headers.AcceptRanges.Single());
        Assert.Equal($"\"{TestBytes.Sha256Hex(data)}\"", head.Headers.ETag!.Tag);
        Assert.Equal(TestBytes.Sha256Hex(data), head.Headers.GetValues("X-Content-SHA256").Single());
        Assert.NotNull(head.Content.Headers.ContentDisposition);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_path_like_file_name_is_stored_and_echoed_as_its_last_segment()
    {
        var data = TestBytes.Random(1_000, seed: 82);
        var created = await fixture.CreateUploadAsync("../../etc/passwd", data.Length);
        Assert.Equal("passwd", (await StatusAsync(created)).GetProperty("fileName").GetString());
        using (var put = await PutAsync(created, 0, data))
            Assert.Equal("passwd", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fileName").GetString());

        using var inline = await Http.GetAsync($"/api/v1/files/{created.UploadId}");
        Assert.Equal("inline; filename=passwd; filename*=UTF-8''passwd", inline.Content.Headers.GetValues("Content-Disposition").Single());
        using var attachment = await Http.GetAsync($"/api/v1/download/stream/{created.UploadId}");
        Assert.Equal("attachment; filename=passwd; filename*=UTF-8''passwd", attachment.Content.Headers.GetValues("Content-Disposition").Single());

        using var legacy = await Http.PostAsJsonAsync("/api/v1/upload/initiate", new { filename = "..\\..\\boot.ini", size = 10 });
        Assert.Equal("boot.ini", (await legacy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("filename").GetString());
    }

    [Fact]
    public async Task A_non_ASCII_name_is_sent_as_filename_star_per_RFC_6266()
    {
        var data = TestBytes.Random(100, seed: 83);
        var id = await StoredAsync("résumé 2024.pdf", data);
        using var response = await Http.GetAsync($"/api/v1/download/stream/{id}");
        Assert.Equal("attachment; filename=\"r_sum_ 2024.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf",
            response.Content.Headers.GetValues("Content-Disposition").Single());
        Assert.Equal("résumé 2024.pdf", response.Content.Headers.ContentDisposition!.FileNameStar);
    }

    [Fact]
    public async Task A_byte_past_the_declared_size_after_the_last_acknowledgement_is_PastDeclaredSize()
    {
        var data = TestBytes.Random(200_000, seed: 84);
        var created = await fixture.CreateUploadAsync("exact.bin", data.Length);
        await using var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        await client.ReceiveJsonAsync();
        for (var sent = 0; sent < data.Length; sent += created.ChunkSize)
            await client.Socket.SendAsync(data.AsMemory(sent, Math.Min(created.ChunkSize, data.Length - sent)), WebSocketMessageType.Binary, true, CancellationToken.None);
        JsonElement message;
        do message = (await client.ReceiveJsonAsync())!.Value;
        while (message.GetProperty("type").GetString() == "ack" && message.GetProperty("offset").GetInt64() < data.Length);
        Assert.Equal(("ack", (long)data.Length), (message.GetProperty("type").GetString(), message.GetProperty("offset").GetInt64()));

        await client.Socket.SendAsync(new byte[] { 42 }, WebSocketMessageType.Binary, true, CancellationToken.None);

        var error = (await client.ReceiveJsonAsync())!.Value;
        Assert.Equal(("error", "PastDeclaredSize", false), (error.GetProperty("type").GetString(), error.GetProperty("reason").GetString(), error.GetProperty("retryable").GetBoolean()));
        Assert.StartsWith($"Data arrived past the declared size of {data.Length} bytes; send nothing after the last byte.", error.GetProperty("message").GetString());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ClosedAsync());
    }

    [Fact]
    public async Task A_byte_past_the_declared_size_sent_with_the_last_bytes_is_PastDeclaredSize_and_the_upload_stays_completable()
    {
        var data = TestBytes.Random(200_000, seed: 85);
        var created = await fixture.CreateUploadAsync("exact.bin", data.Length);
        await using (var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl)))
        {
            await client.ReceiveJsonAsync();
            for (var sent = 0; sent < data.Length; sent += created.ChunkSize)
                await client.Socket.SendAsync(data.AsMemory(sent, Math.Min(created.ChunkSize, data.Length - sent)), WebSocketMessageType.Binary, true, CancellationToken.None);
            await client.Socket.SendAsync(new byte[] { 42 }, WebSocketMessageType.Binary, true, CancellationToken.None);

            JsonElement message;
            do message = (await client.ReceiveJsonAsync())!.Value;
            while (message.GetProperty("type").GetString() == "ack");
            Assert.Equal(("error", "PastDeclaredSize"), (message.GetProperty("type").GetString(), message.GetProperty("reason").GetString()));
            Assert.Equal($"Data arrived past the declared size of {data.Length} bytes; send nothing after the last byte. Every declared byte is committed: reconnect to complete the upload.",
                message.GetProperty("message").GetString());
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ClosedAsync());
        }
        Assert.Equal(("Receiving", (long)data.Length), ((await StatusAsync(created)).GetProperty("state").GetString(), (await StatusAsync(created)).GetProperty("committedOffset").GetInt64()));

        await using var again = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        var ready = (await again.ReceiveJsonAsync())!.Value;
        Assert.Equal(("ready", (long)data.Length), (ready.GetProperty("type").GetString(), ready.GetProperty("offset").GetInt64()));
        var complete = (await again.ReceiveJsonAsync())!.Value;
        Assert.Equal(("complete", TestBytes.Sha256Hex(data)), (complete.GetProperty("type").GetString(), complete.GetProperty("sha256").GetString()));
    }

    [Fact]
    public async Task An_idle_socket_taken_over_by_a_newer_one_is_told_at_once_and_the_newer_one_completes()
    {
        var data = TestBytes.Random(300_000, seed: 86);
        var created = await fixture.CreateUploadAsync("twice.bin", data.Length);
        await using var older = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        await older.ReceiveJsonAsync();

        await using var newer = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        await newer.ReceiveJsonAsync();
        var told = (await older.ReceiveJsonAsync(TimeSpan.FromSeconds(5)))!.Value;
        Assert.Equal(("error", "InvalidState", "Another connection has taken over this upload; this one ends."),
            (told.GetProperty("type").GetString(), told.GetProperty("reason").GetString(), told.GetProperty("message").GetString()));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await older.ClosedAsync());

        var end = await newer.SendAsync(data, 0, data.Length, created.ChunkSize, created.ReservedBytes);
        Assert.Equal("complete", end.GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_idle_socket_is_told_when_its_upload_is_aborted_elsewhere()
    {
        var created = await fixture.CreateUploadAsync("aborted.bin", 300_000);
        await using var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        await client.ReceiveJsonAsync();

        using var delete = new HttpRequestMessage(HttpMethod.Delete, created.StatusUrl) { Headers = { { "Upload-Token", created.ResumeToken } } };
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(delete)).StatusCode);

        var told = (await client.ReceiveJsonAsync(TimeSpan.FromSeconds(5)))!.Value;
        Assert.Equal(("error", "Aborted"), (told.GetProperty("type").GetString(), told.GetProperty("reason").GetString()));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ClosedAsync());
    }

    private async Task<string> StoredAsync(string name, byte[] data)
    {
        var created = await fixture.CreateUploadAsync(name, data.Length);
        using var put = await PutAsync(created, 0, data);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return created.UploadId;
    }

    private async Task<JsonElement> StatusAsync(GatewayFixture.Created created)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, created.StatusUrl) { Headers = { { "Upload-Token", created.ResumeToken } } };
        using var response = await Http.SendAsync(request);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> PutAsync(GatewayFixture.Created created, long offset, byte[] body) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{created.UploadId}/chunks?offset={offset}")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
            Headers = { { "Upload-Token", created.ResumeToken } },
        });
}
