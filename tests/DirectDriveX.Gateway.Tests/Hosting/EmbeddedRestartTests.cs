using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using DirectDriveX.Embedded;

namespace DirectDriveX.Gateway.Tests.Hosting;

/// <summary>
/// The embedded default keeps its state in its file store: a stored file downloads after the process restarts, and an
/// upload interrupted by the restart resumes where it was committed.
/// </summary>
public sealed class EmbeddedRestartTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("ddx-gw-restart-").FullName;

    [Fact]
    public async Task Files_and_interrupted_uploads_survive_a_restart_of_the_embedded_gateway()
    {
        var (siloPort, gatewayPort) = (FreePort.Next(), FreePort.Next());
        var stored = TestBytes.Random(3 * 1024 * 1024 + 5, seed: 50);
        var interrupted = TestBytes.Random(6 * 1024 * 1024 + 7, seed: 51);
        string storedId;
        JsonElement created;

        await using (var first = await StartAsync(siloPort, gatewayPort))
        {
            storedId = await UploadMultipartAsync(first.Http, stored);
            created = await CreateAsync(first.Http, interrupted);
            await using var socket = await UploadSocketClient.ConnectAsync(SocketUri(first, created));
            await socket.ReceiveJsonAsync();
            var chunk = created.GetProperty("chunkSize").GetInt32();
            var ack = await socket.SendAsync(interrupted, 0, chunk * 2L, chunk, chunk * 2L);
            Assert.Equal(chunk * 2L, ack.GetProperty("offset").GetInt64());
        }

        await using var second = await StartAsync(siloPort, gatewayPort);
        Assert.Equal(stored, await second.Http.GetByteArrayAsync($"/api/v1/files/{storedId}"));

        using var statusRequest = new HttpRequestMessage(HttpMethod.Get, created.GetProperty("statusUrl").GetString())
            { Headers = { { "Upload-Token", created.GetProperty("resumeToken").GetString() } } };
        var status = await (await second.Http.SendAsync(statusRequest)).Content.ReadFromJsonAsync<JsonElement>();
        var committed = status.GetProperty("committedOffset").GetInt64();
        Assert.Equal(("Receiving", created.GetProperty("chunkSize").GetInt32() * 2L), (status.GetProperty("state").GetString(), committed));

        await using var resumed = await UploadSocketClient.ConnectAsync(SocketUri(second, created));
        var ready = (await resumed.ReceiveJsonAsync())!.Value;
        Assert.Equal(committed, ready.GetProperty("offset").GetInt64());
        var chunkSize = ready.GetProperty("chunkSize").GetInt32();
        var end = await resumed.SendAsync(interrupted, committed, interrupted.Length, chunkSize, ready.GetProperty("window").GetInt64());
        Assert.Equal(("complete", TestBytes.Sha256Hex(interrupted)), (end.GetProperty("type").GetString(), end.GetProperty("sha256").GetString()));
        Assert.Equal(interrupted, await second.Http.GetByteArrayAsync(end.GetProperty("downloadUrl").GetString()));
    }

    [Fact]
    public async Task An_ended_sessions_record_expires_in_the_embedded_store_and_its_stored_file_stays()
    {
        var (siloPort, gatewayPort) = (FreePort.Next(), FreePort.Next());
        var (swept, readLate, oneRequest) = (TestBytes.Random(200_000, seed: 52), TestBytes.Random(300_000, seed: 53), TestBytes.Random(100_000, seed: 54));
        string sweptId, readLateId, oneRequestId, readLateRecord;
        await using (var first = await StartAsync(siloPort, gatewayPort, "--FileStore:SweepInterval=00:00:00.200"))
        {
            (sweptId, readLateId) = (await UploadOverSocketAsync(first, swept), await UploadOverSocketAsync(first, readLate));
            oneRequestId = await UploadMultipartAsync(first.Http, oneRequest);
            Assert.Equal(HttpStatusCode.Forbidden, await StatusCodeAsync(first.Http, sweptId)); // a record, and no token for it
            // A one-request upload's session keeps no record: its stored file's record answers for it (CompletedSession).
            Assert.Empty(SessionRecords(oneRequestId));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusCodeAsync(first.Http, oneRequestId));

            // A week and a day since its last write: the sweep removes it (Uploads:SessionRecordLifetime, 7 days).
            var record = SessionRecords(sweptId).Single();
            File.SetLastWriteTimeUtc(record, DateTime.UtcNow - TimeSpan.FromDays(8));
            await Eventually.Holds(() => Task.FromResult(File.Exists(record)), exists => !exists,
                TimeSpan.FromSeconds(20), "the state-file sweep removed the expired session record");
            readLateRecord = SessionRecords(readLateId).Single();
        }

        // Past its lifetime but not yet swept (the next sweep is 10 minutes away): it reads as absent. A stored file's record
        // answers for its one-request upload's session only as long: its file, 8 days old, answers for none.
        File.SetLastWriteTimeUtc(readLateRecord, DateTime.UtcNow - TimeSpan.FromDays(8));
        var storedRecord = Path.Combine(_store, "files", oneRequestId + ".json");
        var aged = JsonNode.Parse(await File.ReadAllTextAsync(storedRecord))!;
        aged["createdAt"] = DateTimeOffset.UtcNow - TimeSpan.FromDays(8);
        await File.WriteAllTextAsync(storedRecord, aged.ToJsonString());
        await using var second = await StartAsync(siloPort, gatewayPort);
        Assert.Equal(HttpStatusCode.NotFound, await StatusCodeAsync(second.Http, sweptId));
        Assert.Equal(HttpStatusCode.NotFound, await StatusCodeAsync(second.Http, readLateId));
        Assert.Equal(HttpStatusCode.NotFound, await StatusCodeAsync(second.Http, oneRequestId));
        Assert.Equal(swept, await second.Http.GetByteArrayAsync($"/api/v1/files/{sweptId}"));
        Assert.Equal(readLate, await second.Http.GetByteArrayAsync($"/api/v1/files/{readLateId}"));
        Assert.Equal(oneRequest, await second.Http.GetByteArrayAsync($"/api/v1/files/{oneRequestId}"));
    }

    /// <summary>The session's record files (written by its start, since it was created without its bytes, and by its end).</summary>
    private string[] SessionRecords(string uploadId) =>
        Directory.GetFiles(Path.Combine(_store, "state", "upload"), $"*{uploadId}*").Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).ToArray();

    /// <summary>An upload created first and then sent over its socket: a session recorded from its start.</summary>
    private static async Task<string> UploadOverSocketAsync(Running gateway, byte[] data)
    {
        var created = await CreateAsync(gateway.Http, data);
        await using var socket = await UploadSocketClient.ConnectAsync(SocketUri(gateway, created));
        var ready = (await socket.ReceiveJsonAsync())!.Value;
        var end = await socket.SendAsync(data, 0, data.Length, ready.GetProperty("chunkSize").GetInt32(), ready.GetProperty("window").GetInt64());
        Assert.Equal("complete", end.GetProperty("type").GetString());
        return created.GetProperty("uploadId").GetString()!;
    }

    private static async Task<HttpStatusCode> StatusCodeAsync(HttpClient http, string uploadId)
    {
        using var response = await http.GetAsync($"/api/v1/uploads/{uploadId}");
        return response.StatusCode;
    }

    private static Uri SocketUri(Running gateway, JsonElement created) =>
        new($"ws://{gateway.Http.BaseAddress!.Authority}/ws/upload/{created.GetProperty("uploadId").GetString()}?token={Uri.EscapeDataString(created.GetProperty("resumeToken").GetString()!)}");

    private static async Task<string> UploadMultipartAsync(HttpClient http, byte[] data)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(data), "file", "kept.bin" } };
        using var response = await http.PostAsync("/api/v1/upload", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("fileId").GetString()!;
    }

    private static async Task<JsonElement> CreateAsync(HttpClient http, byte[] data)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "resumed.bin", size = data.Length, sha256 = TestBytes.Sha256Hex(data) });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<Running> StartAsync(int siloPort, int gatewayPort, params string[] settings)
    {
        var builder = EmbeddedApplication.CreateBuilder(
        [
            "--urls=http://127.0.0.1:0", $"--Orleans:SiloPort={siloPort}", $"--Orleans:GatewayPort={gatewayPort}",
            "--Orleans:SiloName=restarted", $"--FileStore:RootDirectory={_store}", "--Dashboard:Enabled=false", "--Logging:LogLevel:Default=Warning",
            .. settings,
        ]);
        var app = EmbeddedApplication.Build(builder);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(1) };
        await Eventually.Holds(async () => (await http.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the gateway is ready");
        return new Running(app, http);
    }

    public void Dispose() => Directory.Delete(_store, recursive: true);

    private sealed record Running(WebApplication App, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
