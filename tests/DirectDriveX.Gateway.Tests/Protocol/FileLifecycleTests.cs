using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Clients;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using static DirectDriveX.Gateway.Tests.Infrastructure.TusRequests;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>Keys <c>owner</c> and <c>other</c>; stored files are kept for a day, on a clock the tests move forward.</summary>
public sealed class FileLifecycleFixture : GatewayFixture
{
    public const string OwnerKey = "owner-key-0123456789abcdef";
    public const string OtherKey = "other-key-0123456789abcdef";
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public OffsetClock Clock { get; } = new();

    protected override IDictionary<string, string?> SiloSettings => new Dictionary<string, string?> { ["Files:Retention"] = Retention.ToString() };

    protected override IReadOnlyDictionary<string, string?> EdgeSettings => new Dictionary<string, string?>
    {
        ["Clients:MaxConcurrentUploads"] = "10000",
        ["Auth:ApiKeys:0:Name"] = "owner",
        ["Auth:ApiKeys:0:Key"] = OwnerKey,
        ["Auth:ApiKeys:1:Name"] = "other",
        ["Auth:ApiKeys:1:Key"] = OtherKey,
    };

    protected override void ConfigureSilo(Orleans.Hosting.ISiloBuilder silo) => silo.Services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>Files have a lifecycle (issue 18), over the real gateway: DELETE /api/v1/files/{id} by the uploader (its API key,
/// or the deleteToken a keyless upload was given once) and tus DELETE of a completed upload remove the bytes and the record;
/// a deleted or expired file is 404 on every route; a download in progress when its file is deleted ends cleanly.</summary>
public class FileLifecycleTests(FileLifecycleFixture fixture) : IClassFixture<FileLifecycleFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task A_keyless_upload_is_deleted_with_its_deleteToken_only_and_is_404_everywhere_after()
    {
        var data = TestBytes.Random(300_000, seed: 50);
        var stored = await new ClientRequests(Http).MultipartAsync(data);
        Assert.Equal(HttpStatusCode.Created, stored.Status);
        var fileId = stored.Body.GetProperty("fileId").GetString()!;
        var token = stored.Body.GetProperty("deleteToken").GetString()!;
        var meta = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/files/{fileId}/meta");
        Assert.False(meta.TryGetProperty("deleteToken", out _)); // given once, at completion

        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthenticated"), await DeleteAsync(fileId));
        Assert.Equal((HttpStatusCode.Forbidden, "Unauthorized"), await DeleteAsync(fileId, token: FileLifecycle.NewDeleteToken().Token));
        Assert.Equal((HttpStatusCode.Forbidden, "Unauthorized"), await DeleteAsync(fileId, apiKey: FileLifecycleFixture.OwnerKey));
        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthenticated"), await DeleteAsync(fileId, apiKey: "not-a-key-0123456789abcdef", token: token));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"/api/v1/files/{fileId}")).StatusCode); // none of those deleted it

        Assert.Equal((HttpStatusCode.NoContent, (string?)null), await DeleteAsync(fileId, token: token));

        await AssertGoneAsync(fileId);
        Assert.Equal((HttpStatusCode.NotFound, "NotFound"), await DeleteAsync(fileId, token: token));
    }

    [Fact]
    public async Task A_keyless_socket_upload_gets_its_deleteToken_in_complete_and_it_works_as_a_query_parameter()
    {
        var data = TestBytes.Random(200_000, seed: 51);
        var created = await fixture.CreateUploadAsync("ws.bin", data.Length);
        await using var socket = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        await socket.ReceiveJsonAsync();
        var complete = await socket.SendAsync(data, 0, data.Length, created.ChunkSize, created.ReservedBytes);
        var token = complete.GetProperty("deleteToken").GetString()!;

        using var delete = await Http.DeleteAsync($"/api/v1/files/{created.UploadId}?deleteToken={Uri.EscapeDataString(token)}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await AssertGoneAsync(created.UploadId);
    }

    [Fact]
    public async Task An_API_key_upload_is_deleted_with_that_key_and_not_with_another()
    {
        var stored = await new ClientRequests(Http, apiKey: FileLifecycleFixture.OwnerKey).MultipartAsync(TestBytes.Random(100_000, seed: 52));
        Assert.Equal(HttpStatusCode.Created, stored.Status);
        Assert.False(stored.Body.TryGetProperty("deleteToken", out _)); // its key deletes it
        var fileId = stored.Body.GetProperty("fileId").GetString()!;

        Assert.Equal((HttpStatusCode.Forbidden, "Unauthorized"), await DeleteAsync(fileId, apiKey: FileLifecycleFixture.OtherKey));
        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthenticated"), await DeleteAsync(fileId));
        Assert.Equal((HttpStatusCode.NoContent, (string?)null), await DeleteAsync(fileId, apiKey: FileLifecycleFixture.OwnerKey));
        await AssertGoneAsync(fileId);
    }

    [Fact]
    public async Task Tus_DELETE_of_a_completed_upload_is_204_and_the_upload_and_its_file_are_404_after()
    {
        var data = TestBytes.Random(150_000, seed: 53);
        using var create = await Http.SendAsync(Create(data.Length, "tus-life.bin"));
        var url = create.Headers.Location!.OriginalString;
        using (var patch = await Http.SendAsync(Patch(url, 0, data)))
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);

        using (var delete = await Http.SendAsync(Request(HttpMethod.Delete, url)))
            Assert.Equal((HttpStatusCode.NoContent, "1.0.0"), (delete.StatusCode, Header(delete, "Tus-Resumable")));

        using (var head = await Http.SendAsync(Request(HttpMethod.Head, url)))
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        using (var again = await Http.SendAsync(Request(HttpMethod.Delete, url)))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        await AssertGoneAsync(UploadId(url));
    }

    [Fact]
    public async Task A_download_in_progress_when_its_file_is_deleted_ends_cleanly_with_every_byte()
    {
        var data = TestBytes.Random(24 * 1024 * 1024, seed: 54);
        var stored = await new ClientRequests(Http).MultipartAsync(data);
        var fileId = stored.Body.GetProperty("fileId").GetString()!;
        using var download = await Http.GetAsync($"/api/v1/files/{fileId}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await download.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[1024 * 1024];
        received.Write(buffer, 0, await body.ReadAtLeastAsync(buffer, buffer.Length));

        Assert.Equal((HttpStatusCode.NoContent, (string?)null), await DeleteAsync(fileId, token: stored.Body.GetProperty("deleteToken").GetString()));
        await body.CopyToAsync(received); // the open file outlives its deletion: the download finishes

        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received.ToArray()));
        await AssertGoneAsync(fileId);
    }

    [Fact]
    public async Task A_file_past_Files_Retention_is_404_everywhere_and_its_bytes_are_gone()
    {
        var data = TestBytes.Random(120_000, seed: 55);
        using var create = await Http.SendAsync(Create(data.Length, "kept-a-day.bin"));
        var url = create.Headers.Location!.OriginalString;
        using (var patch = await Http.SendAsync(Patch(url, 0, data)))
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var fileId = UploadId(url);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"/api/v1/files/{fileId}")).StatusCode);

        fixture.Clock.Advance(FileLifecycleFixture.Retention);

        using (var head = await Http.SendAsync(Request(HttpMethod.Head, url)))
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        await AssertGoneAsync(fileId);
        Assert.False(File.Exists(Path.Combine(fixture.StoreRoot, "files", fileId)));
        Assert.False(File.Exists(Path.Combine(fixture.StoreRoot, "files", fileId + ".json")));
    }

    private async Task<(HttpStatusCode Status, string? Reason)> DeleteAsync(string fileId, string? apiKey = null, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/files/{fileId}");
        if (apiKey is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        if (token is not null) request.Headers.Add("X-Delete-Token", token);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.GetProperty("reason").GetString() : null);
    }

    /// <summary>GET, HEAD and meta on both download routes are 404 NotFound.</summary>
    private async Task AssertGoneAsync(string fileId)
    {
        foreach (var path in new[] { $"/api/v1/files/{fileId}", $"/api/v1/download/stream/{fileId}", $"/api/v1/files/{fileId}/meta" })
        {
            using var get = await Http.GetAsync(path);
            Assert.Equal((HttpStatusCode.NotFound, "NotFound"), (get.StatusCode, (await get.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString()));
        }
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/v1/files/{fileId}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }
}
