using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using static DirectDriveX.Gateway.Tests.Infrastructure.TusRequests;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>Empty files in every protocol (issue 18): an upload of 0 bytes reserves no memory, is stored as its session starts
/// (there is nothing to wait for), and downloads as 0 bytes with the SHA-256 of nothing; each protocol's client finishes it the
/// way it finishes any other upload.</summary>
[Collection(GatewayCollection.Name)]
public class EmptyFileTests(DefaultGatewayFixture fixture)
{
    private const string Nothing = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Native_create_of_size_0_is_201_with_the_stored_file_and_the_socket_answers_complete_at_once()
    {
        var leases = (await fixture.SnapshotsAsync()).Sum(n => n.LeasedBytes);
        using var response = await Http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "empty.txt", size = 0, contentType = "text/plain" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var uploadId = created.GetProperty("uploadId").GetString()!;
        Assert.Equal((0L, 0L), (created.GetProperty("size").GetInt64(), created.GetProperty("reservedBytes").GetInt64()));
        var file = created.GetProperty("file");
        Assert.Equal((uploadId, 0L, Nothing), (file.GetProperty("fileId").GetString(), file.GetProperty("size").GetInt64(), file.GetProperty("sha256").GetString()));
        Assert.Equal(leases, (await fixture.SnapshotsAsync()).Sum(n => n.LeasedBytes)); // nothing reserved, nothing held

        await using (var socket = await UploadSocketClient.ConnectAsync(new Uri(created.GetProperty("webSocketUrl").GetString()!)))
        {
            var complete = (await socket.ReceiveJsonAsync())!.Value;
            Assert.Equal(("complete", uploadId, 0L, Nothing), (complete.GetProperty("type").GetString(), complete.GetProperty("fileId").GetString(),
                complete.GetProperty("size").GetInt64(), complete.GetProperty("sha256").GetString()));
            Assert.Equal(WebSocketCloseStatus.NormalClosure, await socket.ClosedAsync());
        }
        using var status = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/uploads/{uploadId}") { Headers = { { "Upload-Token", created.GetProperty("resumeToken").GetString() } } };
        Assert.Equal("Completed", (await (await Http.SendAsync(status)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        await AssertEmptyFileAsync(uploadId, "empty.txt");
    }

    [Fact]
    public async Task An_empty_PUT_at_offset_0_answers_the_stored_file()
    {
        var created = await fixture.CreateUploadAsync("put-empty.bin", 0, Nothing);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{created.UploadId}/chunks?offset=0")
        {
            Content = new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
            Headers = { { "Upload-Token", created.ResumeToken } },
        };
        using var answer = await Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var stored = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0L, Nothing), (stored.GetProperty("size").GetInt64(), stored.GetProperty("sha256").GetString()));
        await AssertEmptyFileAsync(created.UploadId, "put-empty.bin");
    }

    [Fact]
    public async Task An_empty_file_declared_with_another_hash_is_refused_422_and_nothing_is_stored()
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "e.bin", size = 0, sha256 = new string('a', 64) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("HashMismatch", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_multipart_form_with_an_empty_file_part_is_201_with_the_stored_file()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } }, "file", "form-empty.txt");
        using var response = await Http.PostAsync("/api/v1/upload", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0L, Nothing), (stored.GetProperty("size").GetInt64(), stored.GetProperty("sha256").GetString()));
        await AssertEmptyFileAsync(stored.GetProperty("fileId").GetString()!, "form-empty.txt");
    }

    [Fact]
    public async Task A_multipart_form_declaring_size_0_with_bytes_in_its_file_part_is_400()
    {
        using var form = new MultipartFormDataContent { { new StringContent("0"), "size" }, { new ByteArrayContent([1, 2, 3]), "file", "liar.bin" } };
        using var response = await Http.PostAsync("/api/v1/upload", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_reference_client_initiates_size_0_sends_DONE_and_gets_success()
    {
        var fileId = await ReferenceClient.InitiateAsync(Http, "legacy-empty.txt", 0);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(fixture.WebSocketUri($"/ws_api/upload_parallel/{fileId}"), CancellationToken.None);
        await ReferenceClient.SendFileAsync(socket, []);
        var messages = await ReferenceClient.ReadUntilCloseAsync(socket);
        Assert.Equal(("success", $"/api/v1/download/stream/{fileId}"), (messages[^1].GetProperty("type").GetString(), messages[^1].GetProperty("value").GetString()));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        await AssertEmptyFileAsync(fileId, "legacy-empty.txt");
    }

    [Fact]
    public async Task Tus_Upload_Length_0_is_complete_once_created_and_HEAD_answers_0_of_0()
    {
        using var create = await Http.SendAsync(Create(0, fileName: "tus-empty.txt", fileType: "text/plain"));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("", Header(create, "Upload-Expires")); // complete: it does not expire
        var url = create.Headers.Location!.OriginalString;
        using var head = await Http.SendAsync(Request(HttpMethod.Head, url));
        Assert.Equal((HttpStatusCode.OK, "0", "0"), (head.StatusCode, Header(head, "Upload-Offset"), Header(head, "Upload-Length")));
        await AssertEmptyFileAsync(UploadId(url), "tus-empty.txt");
    }

    [Fact]
    public async Task A_tus_final_upload_of_empty_partial_uploads_is_an_empty_file()
    {
        var partials = new List<string>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            using var partial = await Http.SendAsync(Create(0, concat: "partial"));
            Assert.Equal(HttpStatusCode.Created, partial.StatusCode);
            partials.Add(partial.Headers.Location!.OriginalString);
        }
        var final = Request(HttpMethod.Post, TusPath);
        final.Headers.Add("Upload-Concat", "final;" + string.Join(' ', partials));
        final.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes("joined-empty.bin"))}");
        using var response = await Http.SendAsync(final);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await AssertEmptyFileAsync(UploadId(response.Headers.Location!.OriginalString), "joined-empty.bin");
    }

    private async Task AssertEmptyFileAsync(string fileId, string fileName)
    {
        using var download = await Http.GetAsync($"/api/v1/files/{fileId}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(0, download.Content.Headers.ContentLength);
        Assert.Empty(await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(Nothing, download.Headers.GetValues("X-Content-SHA256").Single());
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/v1/download/stream/{fileId}"));
        Assert.Equal((HttpStatusCode.OK, 0L), (head.StatusCode, head.Content.Headers.ContentLength));
        var meta = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/files/{fileId}/meta");
        Assert.Equal((fileName, 0L, Nothing), (meta.GetProperty("fileName").GetString(), meta.GetProperty("size").GetInt64(), meta.GetProperty("sha256").GetString()));
        Assert.Equal(UploadState.Completed, (await fixture.Grains.GetGrain<IUploadSessionGrain>(fileId).GetState()).State);
    }
}
