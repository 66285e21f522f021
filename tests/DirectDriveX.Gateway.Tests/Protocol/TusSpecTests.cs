using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using static DirectDriveX.Gateway.Tests.Infrastructure.TusRequests;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>tus 1.0.0 to the letter, per MUST: what HEAD answers about metadata and concatenation, the method override,
/// Upload-Concat's two forms, checksums as headers and as trailers, and Upload-Expires; through the gateway (External mode),
/// and for the trailer also on the node holding the upload.</summary>
[Collection(GatewayCollection.Name)]
public class TusSpecTests(DefaultGatewayFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<string> CreateAsync(HttpRequestMessage create)
    {
        using var response = await Http.SendAsync(create);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!.OriginalString;
    }

    private async Task<HttpResponseMessage> HeadAsync(string url) => await Http.SendAsync(Request(HttpMethod.Head, url));

    [Fact]
    public async Task HEAD_answers_Upload_Metadata_exactly_as_it_was_sent_and_none_when_none_was()
    {
        const string metadata = "filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential,filetype YXBwbGljYXRpb24vcGRm";
        var create = Create(1000);
        create.Headers.Add("Upload-Metadata", metadata);
        var url = await CreateAsync(create);
        using (var head = await HeadAsync(url))
            Assert.Equal((HttpStatusCode.OK, metadata, "0", "1000"), (head.StatusCode, Header(head, "Upload-Metadata"), Header(head, "Upload-Offset"), Header(head, "Upload-Length")));

        var plain = await CreateAsync(Create(1000));
        using (var head = await HeadAsync(plain))
            Assert.False(head.Headers.Contains("Upload-Metadata"));

        // Kept after completion too, and the name is the stored file's.
        using (var patch = await Http.SendAsync(Patch(url, 0, new byte[1000])))
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        using (var head = await HeadAsync(url))
            Assert.Equal((metadata, "1000"), (Header(head, "Upload-Metadata"), Header(head, "Upload-Offset")));
        var meta = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/files/{UploadId(url)}/meta");
        Assert.Equal(("world_domination_plan.pdf", "application/pdf"), (meta.GetProperty("fileName").GetString(), meta.GetProperty("contentType").GetString()));
        await DeleteAsync(plain);
    }

    [Theory]
    [InlineData("filename d29ybGQ=,filename d29ybGQ=")] // keys MUST be unique
    [InlineData("filename d29ybGQ=,,x")] // an empty key
    [InlineData("filename not*base64")] // values MUST be Base64
    [InlineData("filename a2V5 extra")]
    public async Task Malformed_Upload_Metadata_is_400(string metadata)
    {
        var create = Create(1000);
        create.Headers.TryAddWithoutValidation("Upload-Metadata", metadata);
        using var response = await Http.SendAsync(create);
        Assert.Equal((HttpStatusCode.BadRequest, "1.0.0"), (response.StatusCode, Header(response, "Tus-Resumable")));
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("partial;")]
    [InlineData("final")]
    [InlineData("final;")]
    [InlineData("Final;/files/a")]
    public async Task An_Upload_Concat_neither_partial_nor_final_with_URLs_is_400_and_creates_nothing(string concat)
    {
        var leases = (await fixture.SnapshotsAsync()).Sum(n => n.LeaseCount);
        using var response = await Http.SendAsync(Create(1000, concat: concat));
        Assert.Equal((HttpStatusCode.BadRequest, "1.0.0", ""), (response.StatusCode, Header(response, "Tus-Resumable"), Header(response, "Location")));
        Assert.Equal(leases, (await fixture.SnapshotsAsync()).Sum(n => n.LeaseCount));
    }

    [Fact]
    public async Task HEAD_answers_Upload_Concat_on_partial_and_final_uploads_and_a_final_upload_refuses_PATCH_403()
    {
        var data = TestBytes.Random(300_000, seed: 180);
        var first = await CreateAsync(Create(100_000, concat: "partial"));
        var second = await CreateAsync(Create(200_000, concat: "partial"));
        using (var head = await HeadAsync(first))
            Assert.Equal((HttpStatusCode.OK, "partial", "0"), (head.StatusCode, Header(head, "Upload-Concat"), Header(head, "Upload-Offset")));
        using (var patch = await Http.SendAsync(Patch(first, 0, data.AsMemory(0, 100_000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        using (var patch = await Http.SendAsync(Patch(second, 0, data.AsMemory(100_000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);

        var concat = $"final;{first} {new Uri(fixture.BaseAddress, second)}"; // relative and absolute URLs
        var final = Request(HttpMethod.Post, TusPath);
        final.Headers.Add("Upload-Concat", concat);
        var finalUrl = await CreateAsync(final);
        using (var head = await HeadAsync(finalUrl))
            Assert.Equal((HttpStatusCode.OK, concat, "300000", "300000"),
                (head.StatusCode, Header(head, "Upload-Concat"), Header(head, "Upload-Offset"), Header(head, "Upload-Length")));
        using (var head = await HeadAsync(second))
            Assert.Equal(("partial", "200000"), (Header(head, "Upload-Concat"), Header(head, "Upload-Offset")));

        using (var patch = await Http.SendAsync(Patch(finalUrl, 300_000, new byte[10])))
        {
            Assert.Equal((HttpStatusCode.Forbidden, "1.0.0"), (patch.StatusCode, Header(patch, "Tus-Resumable")));
            Assert.Equal("ReadOnly", (await patch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        }
        using (var download = await Http.GetAsync($"/api/v1/files/{UploadId(finalUrl)}"))
            Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_final_upload_of_an_upload_that_is_not_partial_is_400()
    {
        var whole = await CreateAsync(Create(1000));
        using (var patch = await Http.SendAsync(Patch(whole, 0, new byte[1000]))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var final = Request(HttpMethod.Post, TusPath);
        final.Headers.Add("Upload-Concat", $"final;{whole}");
        using var response = await Http.SendAsync(final);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task X_HTTP_Method_Override_is_the_method_whatever_the_request_s_own()
    {
        var options = Request(HttpMethod.Get, TusPath, tusResumable: false);
        options.Headers.Add("X-HTTP-Method-Override", "OPTIONS");
        using (var response = await Http.SendAsync(options))
            Assert.Equal((HttpStatusCode.NoContent, "1.0.0", TusExtensions), (response.StatusCode, Header(response, "Tus-Version"), Header(response, "Tus-Extension")));

        var url = await CreateAsync(Create(1000));
        var head = Request(HttpMethod.Get, url);
        head.Headers.Add("X-HTTP-Method-Override", "HEAD");
        using (var response = await Http.SendAsync(head))
            Assert.Equal((HttpStatusCode.OK, "0", "1000", "no-store"), (response.StatusCode, Header(response, "Upload-Offset"), Header(response, "Upload-Length"), response.Headers.CacheControl?.ToString()));

        var patch = Patch(url, 0, new byte[400]);
        patch.Method = HttpMethod.Put;
        patch.Headers.Add("X-HTTP-Method-Override", "PATCH");
        using (var response = await Http.SendAsync(patch))
            Assert.Equal((HttpStatusCode.NoContent, "400"), (response.StatusCode, Header(response, "Upload-Offset")));

        var delete = Request(HttpMethod.Post, url);
        delete.Headers.Add("X-HTTP-Method-Override", "DELETE");
        using (var response = await Http.SendAsync(delete))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using (var response = await HeadAsync(url))
            Assert.Equal(HttpStatusCode.Gone, response.StatusCode);

        var create = Create(1000);
        create.Method = HttpMethod.Get;
        create.Headers.Add("X-HTTP-Method-Override", "POST");
        await DeleteAsync(await CreateAsync(create));
    }

    [Fact]
    public async Task Checksums_sha1_sha256_and_md5_match_a_wrong_one_is_460_and_an_unsupported_one_400()
    {
        var data = TestBytes.Random(90_000, seed: 181);
        var url = await CreateAsync(Create(data.Length));
        using (var unsupported = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 10), "crc32 AAAAAA==")))
            Assert.Equal(HttpStatusCode.BadRequest, unsupported.StatusCode);
        using (var wrong = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 30_000), Md5(data.AsSpan(1, 30_000)))))
            Assert.Equal((HttpStatusCode)460, wrong.StatusCode);
        using (var head = await HeadAsync(url)) Assert.Equal("0", Header(head, "Upload-Offset"));
        using (var md5 = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 30_000), Md5(data.AsSpan(0, 30_000)))))
            Assert.Equal((HttpStatusCode.NoContent, "30000"), (md5.StatusCode, Header(md5, "Upload-Offset")));
        using (var sha1 = await Http.SendAsync(Patch(url, 30_000, data.AsMemory(30_000, 30_000), Sha1(data.AsSpan(30_000, 30_000)))))
            Assert.Equal((HttpStatusCode.NoContent, "60000"), (sha1.StatusCode, Header(sha1, "Upload-Offset")));
        using (var sha256 = await Http.SendAsync(Patch(url, 60_000, data.AsMemory(60_000), Sha256(data.AsSpan(60_000)))))
            Assert.Equal((HttpStatusCode.NoContent, "90000"), (sha256.StatusCode, Header(sha256, "Upload-Offset")));
        using var download = await Http.GetAsync($"/api/v1/files/{UploadId(url)}");
        Assert.Equal(TestBytes.Sha256Hex(data), Header(download, "X-Content-SHA256"));
    }

    public static TheoryData<bool> ThroughGatewayOrOnNode => new() { true, false };

    [Theory]
    [MemberData(nameof(ThroughGatewayOrOnNode))]
    public async Task An_Upload_Checksum_trailer_after_a_chunked_PATCH_is_checked_and_a_body_that_fails_it_is_not_kept(bool throughGateway)
    {
        var data = TestBytes.Random(700_000, seed: throughGateway ? 182 : 183);
        var url = await CreateAsync(Create(data.Length));
        var target = throughGateway ? fixture.BaseAddress : await NodeOfAsync(url);
        Task<ChunkedRequest.Response> PatchAsync(int start, int length, string? trailer, bool announce = true) =>
            ChunkedRequest.SendAsync(target, "PATCH", url,
                [("Tus-Resumable", "1.0.0"), ("Upload-Offset", start.ToString(CultureInfo.InvariantCulture)),
                 ("Content-Type", "application/offset+octet-stream"), .. announce ? [("Trailer", "Upload-Checksum")] : Array.Empty<(string, string)>()],
                data.AsMemory(start, length), trailer is null ? [] : [("Upload-Checksum", trailer)]);

        var wrong = await PatchAsync(0, 300_000, Sha256(data.AsSpan(1, 300_000)));
        Assert.Equal((460, "1.0.0"), (wrong.Status, wrong.Header("Tus-Resumable")));
        var missing = await PatchAsync(0, 300_000, trailer: null);
        Assert.Equal(400, missing.Status);
        var unsupported = await PatchAsync(0, 300_000, "crc32 AAAAAA==");
        Assert.Equal(400, unsupported.Status);
        using (var head = await HeadAsync(url)) Assert.Equal("0", Header(head, "Upload-Offset"));
        Assert.Equal(0, (await fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(url)).GetState()).CommittedOffset);

        var sha1 = await PatchAsync(0, 300_000, Sha1(data.AsSpan(0, 300_000)));
        Assert.Equal((204, "300000"), (sha1.Status, sha1.Header("Upload-Offset")));
        var md5 = await PatchAsync(300_000, 200_000, Md5(data.AsSpan(300_000, 200_000)));
        Assert.Equal((204, "500000"), (md5.Status, md5.Header("Upload-Offset")));
        var last = await PatchAsync(500_000, 200_000, Sha256(data.AsSpan(500_000)));
        Assert.Equal((204, "700000"), (last.Status, last.Header("Upload-Offset")));
        using var download = await Http.GetAsync($"/api/v1/files/{UploadId(url)}");
        Assert.Equal(TestBytes.Sha256Hex(data), Header(download, "X-Content-SHA256"));
    }

    [Fact]
    public async Task Upload_Expires_is_an_RFC_7231_date_the_first_byte_deadline_before_any_byte_and_the_resume_window_after()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var created = await Http.SendAsync(Create(2000));
        var url = created.Headers.Location!.OriginalString;
        AssertExpires(Header(created, "Upload-Expires"), before, TimeSpan.FromSeconds(30)); // Uploads:FirstByteTimeout
        using (var head = await HeadAsync(url)) AssertExpires(Header(head, "Upload-Expires"), before, TimeSpan.FromSeconds(30));

        before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using (var patch = await Http.SendAsync(Patch(url, 0, new byte[500])))
            AssertExpires(Header(patch, "Upload-Expires"), before, TimeSpan.FromHours(24)); // Uploads:ResumeWindow
        using (var head = await HeadAsync(url)) AssertExpires(Header(head, "Upload-Expires"), before, TimeSpan.FromHours(24));

        var withUpload = Create(2000);
        withUpload.Content = new ReadOnlyMemoryContent(new byte[700]) { Headers = { ContentType = new("application/offset+octet-stream") } };
        before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using (var response = await Http.SendAsync(withUpload))
        {
            Assert.Equal((HttpStatusCode.Created, "700"), (response.StatusCode, Header(response, "Upload-Offset")));
            AssertExpires(Header(response, "Upload-Expires"), before, TimeSpan.FromHours(24));
            await DeleteAsync(response.Headers.Location!.OriginalString);
        }

        using (var patch = await Http.SendAsync(Patch(url, 500, new byte[1500])))
            Assert.Equal((HttpStatusCode.NoContent, ""), (patch.StatusCode, Header(patch, "Upload-Expires"))); // finished: no expiry
        using (var head = await HeadAsync(url)) Assert.Equal("", Header(head, "Upload-Expires"));
    }

    [Fact]
    public async Task Refusals_carry_Tus_Resumable_a_refused_PATCH_Upload_Expires_and_any_HEAD_Cache_Control_no_store()
    {
        var url = await CreateAsync(Create(2000));
        using (var patch = await Http.SendAsync(Patch(url, 0, new byte[500]))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        using (var conflict = await Http.SendAsync(Patch(url, 100, new byte[10])))
        {
            Assert.Equal((HttpStatusCode.Conflict, "1.0.0"), (conflict.StatusCode, Header(conflict, "Tus-Resumable")));
            AssertExpires(Header(conflict, "Upload-Expires"), DateTimeOffset.UtcNow.AddSeconds(-30), TimeSpan.FromHours(24));
        }
        using (var mismatch = await Http.SendAsync(Patch(url, 500, new byte[10], Sha1(new byte[11]))))
        {
            Assert.Equal((HttpStatusCode)460, mismatch.StatusCode);
            Assert.NotEqual("", Header(mismatch, "Upload-Expires"));
        }
        using (var head = await HeadAsync($"{TusPath}{UploadIds.NewId()}.{UploadIds.NewResumeToken()}"))
            Assert.Equal((HttpStatusCode.NotFound, "1.0.0", "no-store", ""),
                (head.StatusCode, Header(head, "Tus-Resumable"), head.Headers.CacheControl?.ToString(), Header(head, "Upload-Offset")));
        using (var wrongVersion = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url) { Headers = { { "Tus-Resumable", "0.2.2" } } }))
            Assert.Equal((HttpStatusCode.PreconditionFailed, "1.0.0", "1.0.0", ""),
                (wrongVersion.StatusCode, Header(wrongVersion, "Tus-Version"), Header(wrongVersion, "Tus-Resumable"), Header(wrongVersion, "Upload-Offset")));
        using (var options = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Options, TusPath) { Headers = { { "Tus-Resumable", "0.2.2" } } }))
            Assert.Equal((HttpStatusCode.NoContent, "1.0.0", (20 * GatewayFixture.GiB).ToString()),
                (options.StatusCode, Header(options, "Tus-Version"), Header(options, "Tus-Max-Size"))); // OPTIONS ignores Tus-Resumable
        using (var patch = await Http.SendAsync(Patch(url, 500, new byte[1500])))
            Assert.Equal((HttpStatusCode.NoContent, ""), (patch.StatusCode, Header(patch, "Upload-Expires")));
    }

    private static void AssertExpires(string value, DateTimeOffset from, TimeSpan window)
    {
        var expires = DateTimeOffset.ParseExact(value, "r", CultureInfo.InvariantCulture);
        Assert.Equal(expires.ToString("r", CultureInfo.InvariantCulture), value);
        Assert.InRange(expires, from + window - TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow + window + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task An_upload_of_deferred_length_answers_Upload_Defer_Length_until_a_PATCH_declares_it_and_is_re_tiered_then()
    {
        const int MiB = 1024 * 1024;
        var data = TestBytes.Random(5 * MiB + 11, seed: 70);
        var create = Request(HttpMethod.Post, TusPath);
        create.Headers.Add("Upload-Defer-Length", "1");
        create.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String("recording.webm"u8.ToArray())}");
        var url = await CreateAsync(create);
        var grain = fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(url));
        var created = await grain.GetState();
        Assert.Equal((true, 100L * MiB, 8 * MiB), (created.LengthDeferred, created.ReservedBytes, created.ChunkSize)); // the top tier
        using (var head = await HeadAsync(url))
            Assert.Equal((HttpStatusCode.OK, "1", "", "0"), (head.StatusCode, Header(head, "Upload-Defer-Length"), Header(head, "Upload-Length"), Header(head, "Upload-Offset")));

        using (var first = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 3 * MiB))))
            Assert.Equal((HttpStatusCode.NoContent, (3 * MiB).ToString()), (first.StatusCode, Header(first, "Upload-Offset")));
        using (var head = await HeadAsync(url))
            Assert.Equal(("1", (3 * MiB).ToString()), (Header(head, "Upload-Defer-Length"), Header(head, "Upload-Offset")));

        var last = Patch(url, 3 * MiB, data.AsMemory(3 * MiB));
        last.Headers.Add("Upload-Length", data.Length.ToString());
        using (var response = await Http.SendAsync(last))
            Assert.Equal((HttpStatusCode.NoContent, data.Length.ToString()), (response.StatusCode, Header(response, "Upload-Offset")));
        using (var head = await HeadAsync(url))
            Assert.Equal(("", data.Length.ToString(), data.Length.ToString()), (Header(head, "Upload-Defer-Length"), Header(head, "Upload-Length"), Header(head, "Upload-Offset")));
        var done = await grain.GetState();
        Assert.Equal((UploadState.Completed, 8L * MiB), (done.State, done.ReservedBytes)); // re-tiered: one 8 MiB chunk holds it
        using var download = await Http.GetAsync($"/api/v1/files/{UploadId(url)}");
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_declared_length_below_the_bytes_received_is_400_over_the_maximum_413_and_a_declared_one_cannot_change()
    {
        var create = Request(HttpMethod.Post, TusPath);
        create.Headers.Add("Upload-Defer-Length", "1");
        var url = await CreateAsync(create);
        using (var first = await Http.SendAsync(Patch(url, 0, new byte[1000])))
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        foreach (var (length, status) in new[] { (999L, HttpStatusCode.BadRequest), (20 * GatewayFixture.GiB + 1, HttpStatusCode.RequestEntityTooLarge) })
        {
            var declare = Patch(url, 1000, Array.Empty<byte>());
            declare.Headers.Add("Upload-Length", length.ToString());
            using var response = await Http.SendAsync(declare);
            Assert.Equal((status, "1.0.0"), (response.StatusCode, Header(response, "Tus-Resumable")));
        }
        var valid = Patch(url, 1000, Array.Empty<byte>());
        valid.Headers.Add("Upload-Length", "2000");
        using (var response = await Http.SendAsync(valid))
            Assert.Equal((HttpStatusCode.NoContent, "1000"), (response.StatusCode, Header(response, "Upload-Offset")));
        var changed = Patch(url, 1000, Array.Empty<byte>());
        changed.Headers.Add("Upload-Length", "3000");
        using (var response = await Http.SendAsync(changed))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await DeleteAsync(url);
    }

    private const string TusExtensions = "creation,creation-with-upload,creation-defer-length,termination,checksum,checksum-trailer,expiration,concatenation,concatenation-unfinished";

    /// <summary>The data plane of the node holding the upload (its tus endpoint answers there too).</summary>
    private async Task<Uri> NodeOfAsync(string url)
    {
        var host = (await fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(url)).GetState()).ActiveNodeId;
        return new Uri((await fixture.SnapshotsAsync()).Single(n => n.NodeId == host).DataPlaneUrl!);
    }

    private async Task DeleteAsync(string url)
    {
        using var response = await Http.SendAsync(Request(HttpMethod.Delete, url));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
