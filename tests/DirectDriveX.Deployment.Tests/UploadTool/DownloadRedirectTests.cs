using System.Security.Cryptography;
using DirectDriveX.Upload;
using DirectDriveX.Upload.Progress;
using DirectDriveX.Upload.Transfers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting;

namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>
/// <c>ddx-upload download</c> when the gateway answers with a link straight to the store (<c>FileStore:DownloadLinkLifetime</c>):
/// the tool follows the 302 without its API key (the key is the gateway's, never a store's) and still checks the bytes
/// against the SHA-256 the gateway named on the redirect. A stand-in gateway and store on 127.0.0.1, as the tool's HTTP
/// clients are set up by its command line.
/// </summary>
public sealed class DownloadRedirectTests : IAsyncLifetime
{
    private readonly byte[] _bytes = RandomNumberGenerator.GetBytes(300_000);
    private readonly string _work = Directory.CreateTempSubdirectory("ddx-link-").FullName;
    private WebApplication _app = null!;
    private string? _digestOnRedirect;
    private readonly List<string?> _authorizationAtStore = [];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/api/v1/files/{id}", (HttpContext context, string id) =>
        {
            context.Response.Headers["X-Content-SHA256"] = _digestOnRedirect;
            return Results.Redirect($"{context.Request.Scheme}://{context.Request.Host}/store/{id}?sig=abc");
        });
        _app.MapGet("/store/{id}", (HttpContext context) =>
        {
            _authorizationAtStore.Add(context.Request.Headers.Authorization.ToString());
            return Results.Bytes(_bytes, "application/octet-stream");
        });
        await _app.StartAsync();
    }

    [Fact]
    public async Task A_redirect_to_the_store_is_followed_without_the_key_and_checked_against_the_gateways_digest()
    {
        _digestOnRedirect = Convert.ToHexStringLower(SHA256.HashData(_bytes));
        var result = await DownloadAsync();
        Assert.Equal((_digestOnRedirect, _digestOnRedirect, (long)_bytes.Length), (result.Sha256, result.ServerSha256, result.Bytes));
        Assert.Equal(_bytes, File.ReadAllBytes(result.Path));
        Assert.Equal([""], _authorizationAtStore);
    }

    [Fact]
    public async Task Bytes_from_the_store_that_are_not_the_file_the_gateway_named_fail_the_download()
    {
        _digestOnRedirect = new string('0', 64);
        var refused = await Assert.ThrowsAsync<InvalidDataException>(DownloadAsync);
        Assert.Equal($"Downloaded SHA-256 {Convert.ToHexStringLower(SHA256.HashData(_bytes))}, the gateway says {_digestOnRedirect}.", refused.Message);
    }

    private async Task<DownloadResult> DownloadAsync()
    {
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "gateway-key-0123456789");
        using var links = new HttpClient();
        return await new FileDownloader(new GatewayClient(http, [address], links)).DownloadAsync("AAAAAAAAAAAAAAAAAAAAAA",
            new FileInfo(Path.Combine(_work, "copy.bin")), total => new TransferProgress("download", total, TextWriter.Null, interactive: false),
            CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }
}
