using System.Net;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using static DirectDriveX.Gateway.Tests.Infrastructure.TusRequests;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>tus concatenation, finished and unfinished, with the bytes in S3 (s3rver) and Azure Blob Storage (Azurite): the
/// final upload reads its partial uploads' stored objects, one of them of several S3 parts.</summary>
public abstract class TusObjectStoreConcatenationTests(ObjectStoreGatewayFixture fixture)
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_final_upload_created_before_its_partials_finish_and_one_created_after_are_their_bytes_in_order()
    {
        var data = TestBytes.Random(9 * MiB + 7, seed: 187);
        var (firstLength, secondLength) = (6 * MiB + 7, 3 * MiB);
        var first = await CreateAsync(Create(firstLength, concat: "partial"));
        var second = await CreateAsync(Create(secondLength, concat: "partial"));
        await PatchAsync(first, 0, data.AsMemory(0, 2 * MiB));

        var final = await CreateAsync(Final($"final;{first} {second}"));
        using (var head = await fixture.Http.SendAsync(Request(HttpMethod.Head, final)))
            Assert.Equal((HttpStatusCode.OK, "", (9 * MiB + 7).ToString()), (head.StatusCode, Header(head, "Upload-Offset"), Header(head, "Upload-Length")));
        await PatchAsync(first, 2 * MiB, data.AsMemory(2 * MiB, firstLength - 2 * MiB));
        await PatchAsync(second, 0, data.AsMemory(firstLength));
        await Eventually.Holds(async () => (await fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(final)).GetState()).State,
            state => state == UploadState.Completed, TimeSpan.FromSeconds(60), "the final upload concatenated");
        using (var head = await fixture.Http.SendAsync(Request(HttpMethod.Head, final)))
            Assert.Equal((data.Length.ToString(), data.Length.ToString()), (Header(head, "Upload-Offset"), Header(head, "Upload-Length")));
        await AssertStoredAsync(final, data);

        var reversed = await CreateAsync(Final($"final;{second} {first}")); // all complete: concatenated by its creation
        await AssertStoredAsync(reversed, [.. data.AsSpan(firstLength), .. data.AsSpan(0, firstLength)]);
    }

    private static HttpRequestMessage Final(string concat)
    {
        var request = Request(HttpMethod.Post, TusPath);
        request.Headers.Add("Upload-Concat", concat);
        return request;
    }

    private async Task<string> CreateAsync(HttpRequestMessage create)
    {
        using var response = await fixture.Http.SendAsync(create);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!.OriginalString;
    }

    private async Task PatchAsync(string url, long offset, ReadOnlyMemory<byte> body)
    {
        using var patch = await fixture.Http.SendAsync(Patch(url, offset, body));
        Assert.Equal((HttpStatusCode.NoContent, (offset + body.Length).ToString()), (patch.StatusCode, Header(patch, "Upload-Offset")));
    }

    private async Task AssertStoredAsync(string url, byte[] expected)
    {
        using var download = await fixture.Http.GetAsync($"/api/v1/files/{UploadId(url)}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(TestBytes.Sha256Hex(expected), Header(download, "X-Content-SHA256"));
        Assert.Equal(expected, await download.Content.ReadAsByteArrayAsync());
    }
}

public sealed class TusS3ConcatenationTests(S3GatewayFixture fixture) : TusObjectStoreConcatenationTests(fixture), IClassFixture<S3GatewayFixture>;

public sealed class TusAzureBlobConcatenationTests(AzureBlobGatewayFixture fixture) : TusObjectStoreConcatenationTests(fixture), IClassFixture<AzureBlobGatewayFixture>;
