using System.Security.Cryptography;
using DirectDriveX.Testing;
using Microsoft.Extensions.DependencyInjection;
using DirectDriveX.Upload;
using DirectDriveX.Upload.Progress;
using DirectDriveX.Upload.Protocol;
using DirectDriveX.Upload.Transfers;

namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>The upload tool against the real gateway over real sockets: round trips, a resumed drop, a refusal in words.</summary>
public sealed class UploadToolAgainstGatewayTests(GatewayUnderTest gateway) : IClassFixture<GatewayUnderTest>, IDisposable
{
    private readonly HttpClient _http = new()
    {
        BaseAddress = gateway.BaseAddress,
        Timeout = TimeSpan.FromMinutes(2),
        DefaultRequestHeaders = { Authorization = new("Bearer", GatewayUnderTest.ApiKey) }, // as --api-key sets it
    };
    private readonly StringWriter _log = new();

    private GatewayClient Client => new(_http);

    private static UploadSettings Settings(long? dropAt = null) =>
        new(null, ReconnectPolicy.Default, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), dropAt);

    private TransferProgress Progress(string label, long total) => new(label, total, _log, interactive: false);

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task A_WebSocket_upload_cut_mid_file_resumes_and_downloads_back_byte_identical()
    {
        var path = gateway.CreateFile("cut.bin", 20_000_000, seed: 1);
        using var progress = Progress("websocket", 20_000_000);

        var result = await new WebSocketUploader(Client, Settings(dropAt: 7_000_000)).UploadAsync(new FileInfo(path), progress, CancellationToken.None);

        Assert.Equal(1, result.Reconnects);
        Assert.Equal((Sha256Of(path), 20_000_000L, "websocket"), (result.Sha256, result.Bytes, result.Mode));
        Assert.StartsWith("Silo_", result.Node);
        Assert.Contains("resuming", _log.ToString());
        Assert.Contains("1 resume", _log.ToString());
        // Setup (create + two connects) and transfer are timed apart; hashing and the reconnect pause are in neither.
        Assert.True(result.SetupSeconds > 0 && result.TransferSeconds > 0, $"setup {result.SetupSeconds} s, transfer {result.TransferSeconds} s");
        Assert.True(result.SetupSeconds + result.TransferSeconds <= result.Seconds, $"{result}");
        Assert.True(result.MegabytesPerSecond > 0, $"{result}");

        var copy = Path.Combine(gateway.WorkDirectory, "cut.copy");
        var download = await new FileDownloader(Client).DownloadAsync(result.FileId, new FileInfo(copy), total => Progress("download", total), CancellationToken.None);
        Assert.Equal((result.Sha256, result.Sha256, 20_000_000L), (download.Sha256, download.ServerSha256, download.Bytes));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(copy));
    }

    [Fact]
    public async Task A_multipart_upload_streams_the_file_and_reports_where_it_landed()
    {
        var path = gateway.CreateFile("form.bin", 3_000_001, seed: 2);
        using var progress = Progress("multipart", 3_000_001);

        var result = await new MultipartUploader(Client, Settings()).UploadAsync(new FileInfo(path), progress, CancellationToken.None);

        Assert.Equal((Sha256Of(path), 3_000_001L, "multipart"), (result.Sha256, result.Bytes, result.Mode));
        Assert.StartsWith("Silo_", result.Node);
        var copy = Path.Combine(gateway.WorkDirectory, "form.copy");
        await new FileDownloader(Client).DownloadAsync(result.FileId, new FileInfo(copy), total => Progress("download", total), CancellationToken.None);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(copy));
    }

    [Fact]
    public async Task A_multipart_upload_whose_node_drains_mid_file_continues_from_the_committed_offset_on_the_other_node()
    {
        var path = gateway.CreateFile("drained.bin", 40_000_000, seed: 5);
        using var progress = Progress("multipart", 40_000_000);
        var release = new TaskCompletionSource();
        var settings = Settings() with { PauseAt = (16_000_000, release.Task) }; // a slow client: the node leaves meanwhile

        var uploading = new MultipartUploader(Client, settings).UploadAsync(new FileInfo(path), progress, CancellationToken.None);
        var holder = await Eventually.Holds(() => Task.FromResult(gateway.Host.Cluster.Silos.FirstOrDefault(s =>
            s.ServiceProvider.GetRequiredService<SiloHttpServer>().Connections.Count > 0)), s => s is not null, TimeSpan.FromSeconds(30), "a node holds the upload");
        Assert.Equal(0, await holder!.ServiceProvider.GetRequiredService<SiloHttpServer>().Connections.DrainAsync(TimeSpan.FromSeconds(10), CancellationToken.None));
        release.SetResult();
        var result = await uploading;

        Assert.Equal((Sha256Of(path), 40_000_000L, "multipart", 1), (result.Sha256, result.Bytes, result.Mode, result.Reconnects));
        Assert.NotEqual(holder.Name, result.Node);
        Assert.Contains("as PUT chunks", _log.ToString());
        var copy = Path.Combine(gateway.WorkDirectory, "drained.copy");
        await new FileDownloader(Client).DownloadAsync(result.FileId, new FileInfo(copy), total => Progress("download", total), CancellationToken.None);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(copy));
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_with_413_and_the_reason()
    {
        var path = gateway.CreateFile("huge.bin", (int)GatewayUnderTest.MaxFileSizeBytes + 1, seed: 3);
        using var progress = Progress("websocket", GatewayUnderTest.MaxFileSizeBytes + 1);

        var refusal = await Assert.ThrowsAsync<UploadRefusedException>(() =>
            new WebSocketUploader(Client, Settings()).UploadAsync(new FileInfo(path), progress, CancellationToken.None));

        Assert.Equal(413, refusal.HttpStatus);
        Assert.False(refusal.IsTransient);
        Assert.Contains("POST /api/v1/uploads", refusal.Message);
    }

    [Fact]
    public async Task Without_the_key_the_upload_is_refused_with_401_in_words()
    {
        var path = gateway.CreateFile("nokey.bin", 1000, seed: 4);
        using var progress = Progress("websocket", 1000);
        using var anonymous = new HttpClient { BaseAddress = gateway.BaseAddress };

        var refusal = await Assert.ThrowsAsync<UploadRefusedException>(() =>
            new WebSocketUploader(new GatewayClient(anonymous), Settings()).UploadAsync(new FileInfo(path), progress, CancellationToken.None));

        Assert.Equal(401, refusal.HttpStatus);
        Assert.False(refusal.IsTransient);
        Assert.Contains("needs an API key", refusal.Message);
    }

    [Fact]
    public async Task Downloading_an_unknown_file_is_a_404_in_words()
    {
        var refusal = await Assert.ThrowsAsync<UploadRefusedException>(() => new FileDownloader(Client).DownloadAsync(
            "no-such-file", new FileInfo(Path.Combine(gateway.WorkDirectory, "none")), total => Progress("download", total), CancellationToken.None));
        Assert.Equal(404, refusal.HttpStatus);
    }

    public void Dispose()
    {
        _http.Dispose();
        _log.Dispose();
    }
}
