using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DirectDriveX.Gateway.Downloads;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Downloads;

/// <summary>
/// <c>FileStore:DownloadLinkLifetime</c> on an object store: a download is a 302 to a link the store serves itself (an S3
/// presigned GET on s3rver, an Azure SAS on Azurite), which a client without credentials follows to the file's bytes, under
/// its name and type, with ranges; the gateway carries no byte of it.
/// </summary>
public abstract class DownloadLinkTests(ObjectStoreGatewayFixture fixture)
{
    protected const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_download_is_a_redirect_to_a_link_the_store_serves_with_the_files_name_type_and_ranges()
    {
        var data = TestBytes.Random(3 * MiB + 11, seed: 211);
        var fileId = await UploadAsync(data, "report ä.pdf", "application/pdf");

        using var gateway = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseAddress };
        using var redirect = await gateway.GetAsync($"/api/v1/download/stream/{fileId}");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal(TestBytes.Sha256Hex(data), redirect.Headers.GetValues("X-Content-SHA256").Single());
        Assert.True(redirect.Headers.CacheControl?.NoStore, "a link that expires is not cached");
        var link = redirect.Headers.Location!;
        Assert.True(link.IsAbsoluteUri && link.Port != fixture.BaseAddress.Port, $"a link to the store, not the gateway: {link}");

        using var anyone = new HttpClient(); // no credentials: the link's signature is the authorisation
        using var whole = await anyone.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(data, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal(FileEndpoints.ContentDisposition(attachment: true, "report ä.pdf"), whole.Content.Headers.ContentDisposition?.ToString());

        using var range = new HttpRequestMessage(HttpMethod.Get, link) { Headers = { Range = new RangeHeaderValue(MiB, 2 * MiB - 1) } };
        using var part = await anyone.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(data.AsSpan(MiB, MiB).ToArray(), await part.Content.ReadAsByteArrayAsync());

        using var inline = await gateway.GetAsync($"/api/v1/files/{fileId}"); // the inline route: its own disposition
        using var shown = await anyone.GetAsync(inline.Headers.Location!);
        Assert.Equal(FileEndpoints.ContentDisposition(attachment: false, "report ä.pdf"), shown.Content.Headers.ContentDisposition?.ToString());
    }

    [Fact]
    public async Task An_empty_file_and_a_missing_one_are_answered_by_the_gateway_itself()
    {
        var fileId = await UploadAsync([], "empty.txt", "text/plain");
        using var gateway = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseAddress };
        using var empty = await gateway.GetAsync($"/api/v1/files/{fileId}");
        Assert.Equal((HttpStatusCode.OK, 0), (empty.StatusCode, (await empty.Content.ReadAsByteArrayAsync()).Length));

        using var missing = await gateway.GetAsync("/api/v1/files/AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NotFound", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());
    }

    protected async Task<string> UploadAsync(byte[] data, string fileName, string contentType)
    {
        var file = new ByteArrayContent(data);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var form = new MultipartFormDataContent { { file, "file", fileName } };
        using var response = await fixture.Http.PostAsync("/api/v1/upload", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("fileId").GetString()!;
    }
}

public sealed class S3DownloadLinkTests(S3LinkGatewayFixture fixture) : DownloadLinkTests(fixture), IClassFixture<S3LinkGatewayFixture>;

/// <remarks>The forged link is checked on Azurite only: s3rver 3.7 serves a presigned URL whatever its signature says (a
/// link edited to name another file was answered 200), so it cannot show that a link is bound to its file.</remarks>
public sealed class AzureBlobDownloadLinkTests(AzureBlobLinkGatewayFixture fixture) : DownloadLinkTests(fixture), IClassFixture<AzureBlobLinkGatewayFixture>
{
    [Fact]
    public async Task A_link_for_one_file_does_not_open_another()
    {
        var (first, second) = (await UploadAsync(TestBytes.Random(MiB, seed: 212), "a.bin", "application/octet-stream"),
            await UploadAsync(TestBytes.Random(MiB, seed: 213), "b.bin", "application/octet-stream"));
        using var gateway = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseAddress };
        using var redirect = await gateway.GetAsync($"/api/v1/files/{first}");
        var forged = new Uri(redirect.Headers.Location!.AbsoluteUri.Replace(first, second, StringComparison.Ordinal));

        using var anyone = new HttpClient();
        using var refused = await anyone.GetAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
