using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using static DirectDriveX.Gateway.Tests.Infrastructure.TusRequests;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>tus 1.0.0 per request type, through the gateway (External mode: creation routed here, the rest forwarded to
/// the node holding the session), asserting exact statuses and headers.</summary>
[Collection(GatewayCollection.Name)]
public class TusProtocolTests(DefaultGatewayFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<string> CreateAsync(long length, string? fileName = "tus.bin", string? fileType = null, string? concat = null)
    {
        using var response = await Http.SendAsync(Create(length, fileName, fileType, concat));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!.OriginalString;
    }

    [Fact]
    public async Task OPTIONS_advertises_version_extensions_max_size_and_checksum_algorithms()
    {
        using var response = await Http.SendAsync(Request(HttpMethod.Options, TusPath, tusResumable: false));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(("1.0.0", "1.0.0", "creation,creation-with-upload,creation-defer-length,termination,checksum,checksum-trailer,expiration,concatenation,concatenation-unfinished", (20 * GatewayFixture.GiB).ToString(), "sha1,sha256,md5"),
            (Header(response, "Tus-Resumable"), Header(response, "Tus-Version"), Header(response, "Tus-Extension"), Header(response, "Tus-Max-Size"), Header(response, "Tus-Checksum-Algorithm")));
    }

    [Fact]
    public async Task A_request_without_a_supported_Tus_Resumable_is_412_with_Tus_Version()
    {
        using var none = await Http.SendAsync(Request(HttpMethod.Post, TusPath, tusResumable: false));
        Assert.Equal(HttpStatusCode.PreconditionFailed, none.StatusCode);
        Assert.Equal(("1.0.0", "1.0.0"), (Header(none, "Tus-Version"), Header(none, "Tus-Resumable")));

        var old = Request(HttpMethod.Head, TusPath + "x", tusResumable: false);
        old.Headers.Add("Tus-Resumable", "0.2.2");
        using var response = await Http.SendAsync(old);
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task Creation_HEAD_and_PATCH_store_an_ordinary_file_with_the_metadata_name_and_type()
    {
        var data = TestBytes.Random(3_000_000, seed: 90);
        var url = await CreateAsync(data.Length, "report ü.pdf", "application/pdf");
        Assert.Matches("^/files/[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}$", url);

        using (var head = await Http.SendAsync(Request(HttpMethod.Head, url)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(("0", data.Length.ToString(), "no-store", "1.0.0"),
                (Header(head, "Upload-Offset"), Header(head, "Upload-Length"), head.Headers.CacheControl!.ToString(), Header(head, "Tus-Resumable")));
            var expires = DateTimeOffset.Parse(Header(head, "Upload-Expires"));
            Assert.InRange(expires, DateTimeOffset.UtcNow.AddSeconds(10), DateTimeOffset.UtcNow.AddSeconds(31)); // no byte yet: the first-byte deadline
        }

        using (var first = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 1_000_000))))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
            Assert.Equal(("1000000", "1.0.0"), (Header(first, "Upload-Offset"), Header(first, "Tus-Resumable")));
            Assert.NotEqual("", Header(first, "Upload-Expires"));
        }
        using (var gap = await Http.SendAsync(Patch(url, 1_000_001, data.AsMemory(1_000_001, 10))))
        {
            Assert.Equal(HttpStatusCode.Conflict, gap.StatusCode);
            Assert.Equal(1_000_000, (await gap.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expectedOffset").GetInt64());
        }
        using (var wrongType = await Http.SendAsync(Patch(url, 1_000_000, data.AsMemory(1_000_000, 10), contentType: "application/octet-stream")))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        using (var last = await Http.SendAsync(Patch(url, 1_000_000, data.AsMemory(1_000_000))))
        {
            Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
            Assert.Equal((data.Length.ToString(), ""), (Header(last, "Upload-Offset"), Header(last, "Upload-Expires")));
        }
        using (var head = await Http.SendAsync(Request(HttpMethod.Head, url)))
            Assert.Equal((HttpStatusCode.OK, data.Length.ToString()), (head.StatusCode, Header(head, "Upload-Offset")));

        var id = UploadId(url);
        var meta = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/files/{id}/meta");
        Assert.Equal(("report ü.pdf", "application/pdf", TestBytes.Sha256Hex(data), (long)data.Length),
            (meta.GetProperty("fileName").GetString(), meta.GetProperty("contentType").GetString(), meta.GetProperty("sha256").GetString(), meta.GetProperty("size").GetInt64()));
        using var download = await Http.GetAsync($"/api/v1/files/{id}");
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_PATCH_whose_Upload_Checksum_differs_is_460_and_none_of_its_bytes_is_committed()
    {
        var data = TestBytes.Random(2_500_000, seed: 91);
        var url = await CreateAsync(data.Length);

        using (var bad = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 2_000_000), Sha1(data.AsSpan(1, 2_000_000)))))
        {
            Assert.Equal((HttpStatusCode)460, bad.StatusCode);
            Assert.Equal("1.0.0", Header(bad, "Tus-Resumable"));
        }
        using (var head = await Http.SendAsync(Request(HttpMethod.Head, url)))
            Assert.Equal("0", Header(head, "Upload-Offset"));
        Assert.Equal(0, (await fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(url)).GetState()).CommittedOffset);

        using (var unsupported = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 10), "crc32 AAAA")))
            Assert.Equal(HttpStatusCode.BadRequest, unsupported.StatusCode);
        using (var sha1 = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 2_000_000), Sha1(data.AsSpan(0, 2_000_000)))))
            Assert.Equal((HttpStatusCode.NoContent, "2000000"), (sha1.StatusCode, Header(sha1, "Upload-Offset")));
        using (var sha256 = await Http.SendAsync(Patch(url, 2_000_000, data.AsMemory(2_000_000), Sha256(data.AsSpan(2_000_000)))))
            Assert.Equal((HttpStatusCode.NoContent, data.Length.ToString()), (sha256.StatusCode, Header(sha256, "Upload-Offset")));
        var meta = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/files/{UploadId(url)}/meta");
        Assert.Equal(TestBytes.Sha256Hex(data), meta.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task DELETE_terminates_204_the_staged_bytes_go_the_lease_returns_and_the_URL_is_410()
    {
        var data = TestBytes.Random(1_500_000, seed: 92);
        var url = await CreateAsync(data.Length);
        using (var patch = await Http.SendAsync(Patch(url, 0, data.AsMemory(0, 700_000))))
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var id = UploadId(url);
        Assert.NotEmpty(Directory.GetFiles(System.IO.Path.Combine(fixture.StoreRoot, "staging"), id + ".*"));
        Assert.True(await HoldsLeaseAsync(id));

        using (var delete = await Http.SendAsync(Request(HttpMethod.Delete, url)))
            Assert.Equal((HttpStatusCode.NoContent, "1.0.0"), (delete.StatusCode, Header(delete, "Tus-Resumable")));

        Assert.Empty(Directory.GetFiles(System.IO.Path.Combine(fixture.StoreRoot, "staging"), id + ".*"));
        Assert.Equal(UploadState.Aborted, (await fixture.Grains.GetGrain<IUploadSessionGrain>(id).GetState()).State);
        Assert.False(await HoldsLeaseAsync(id)); // whatever other uploads' leases did meanwhile
        using (var head = await Http.SendAsync(Request(HttpMethod.Head, url)))
            Assert.Equal((HttpStatusCode.Gone, "1.0.0"), (head.StatusCode, Header(head, "Tus-Resumable")));
        using (var patch = await Http.SendAsync(Patch(url, 700_000, data.AsMemory(700_000))))
            Assert.Equal(HttpStatusCode.Gone, patch.StatusCode);
    }

    private async Task<bool> HoldsLeaseAsync(string uploadId)
    {
        foreach (var node in await fixture.SnapshotsAsync())
            if ((await fixture.Grains.GetGrain<IMemoryBudgetGrain>(node.NodeId).GetState()).Leases.Any(l => l.SessionId == uploadId))
                return true;
        return false;
    }

    [Fact]
    public async Task The_upload_URL_is_the_authority_a_wrong_token_is_403_and_an_unknown_upload_404()
    {
        var url = await CreateAsync(1000);
        var id = UploadId(url);
        using (var wrong = await Http.SendAsync(Request(HttpMethod.Head, $"{TusPath}{id}.{UploadIds.NewResumeToken()}")))
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using (var none = await Http.SendAsync(Request(HttpMethod.Delete, $"{TusPath}{id}")))
            Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        using (var unknown = await Http.SendAsync(Request(HttpMethod.Head, $"{TusPath}{UploadIds.NewId()}.{UploadIds.NewResumeToken()}")))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var abort = await Http.SendAsync(Request(HttpMethod.Delete, url));
        Assert.Equal(HttpStatusCode.NoContent, abort.StatusCode);
    }

    [Fact]
    public async Task Creation_refuses_too_large_413_a_malformed_deferred_length_400_and_no_headroom_503_with_Retry_After()
    {
        using (var tooLarge = await Http.SendAsync(Create(20 * GatewayFixture.GiB + 1, "big.bin")))
            Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "1.0.0"), (tooLarge.StatusCode, Header(tooLarge, "Tus-Resumable")));
        foreach (var (defer, length) in new[] { ("2", (string?)null), ("1", "1000"), ("true", null) })
        {
            var deferred = Request(HttpMethod.Post, TusPath);
            deferred.Headers.Add("Upload-Defer-Length", defer);
            if (length is not null) deferred.Headers.Add("Upload-Length", length);
            using var response = await Http.SendAsync(deferred);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

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
            using var refused = await Http.SendAsync(Create(50_000_000, "wait.bin"));
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "5", "1.0.0"), (refused.StatusCode, Header(refused, "Retry-After"), Header(refused, "Tus-Resumable")));
            Assert.Equal("InsufficientHeadroom", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        }
        finally
        {
            foreach (var (silo, id) in blockers) await fixture.Grains.BudgetOf(silo).Release(id);
        }
    }

    [Fact]
    public async Task Creation_with_upload_takes_the_first_bytes_and_the_method_override_carries_a_PATCH()
    {
        var data = TestBytes.Random(400_000, seed: 93);
        var create = Create(data.Length, "cwu.bin");
        create.Content = new ReadOnlyMemoryContent(data.AsMemory(0, 150_000)) { Headers = { ContentType = new("application/offset+octet-stream") } };
        using var created = await Http.SendAsync(create);
        Assert.Equal((HttpStatusCode.Created, "150000"), (created.StatusCode, Header(created, "Upload-Offset")));
        var url = created.Headers.Location!.OriginalString;

        var patch = Patch(url, 150_000, data.AsMemory(150_000));
        patch.Method = HttpMethod.Post;
        patch.Headers.Add("X-HTTP-Method-Override", "PATCH");
        using var response = await Http.SendAsync(patch);
        Assert.Equal((HttpStatusCode.NoContent, data.Length.ToString()), (response.StatusCode, Header(response, "Upload-Offset")));
        using var download = await Http.GetAsync($"/api/v1/files/{UploadId(url)}");
        Assert.Equal(TestBytes.Sha256Hex(data), Header(download, "X-Content-SHA256"));
    }

    [Fact]
    public async Task Concatenation_makes_one_stored_file_of_partial_uploads_with_its_SHA256()
    {
        var data = TestBytes.Random(3_000_000, seed: 94);
        var parts = new[] { (0, 1_000_000), (1_000_000, 1_500_000), (2_500_000, 500_000) };
        var urls = new List<string>();
        foreach (var (start, length) in parts)
        {
            var url = await CreateAsync(length, fileName: null, concat: "partial");
            using var patch = await Http.SendAsync(Patch(url, 0, data.AsMemory(start, length)));
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            urls.Add(url);
        }

        // concatenation-unfinished: a final upload of a partial upload still in progress is created, and ends (410) when that
        // partial upload is terminated instead of completed.
        var unfinished = await CreateAsync(10, concat: "partial");
        string pending;
        using (var incomplete = await Http.SendAsync(Create(0, "x", concat: $"final;{urls[0]} {unfinished}")))
        {
            Assert.Equal(HttpStatusCode.Created, incomplete.StatusCode);
            pending = incomplete.Headers.Location!.OriginalString;
        }
        using (var terminated = await Http.SendAsync(Request(HttpMethod.Delete, unfinished)))
            Assert.Equal(HttpStatusCode.NoContent, terminated.StatusCode);
        using (var head = await Http.SendAsync(Request(HttpMethod.Head, pending)))
            Assert.Equal((HttpStatusCode.Gone, ""), (head.StatusCode, Header(head, "Upload-Offset")));

        var final = Request(HttpMethod.Post, TusPath);
        final.Headers.Add("Upload-Concat", "final;" + string.Join(' ', urls.Select(u => new Uri(fixture.BaseAddress, u).ToString())));
        final.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String("whole.bin"u8.ToArray())}");
        using var created = await Http.SendAsync(final);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var finalUrl = created.Headers.Location!.OriginalString;
        using (var head = await Http.SendAsync(Request(HttpMethod.Head, finalUrl)))
            Assert.Equal((HttpStatusCode.OK, "3000000", "3000000"), (head.StatusCode, Header(head, "Upload-Offset"), Header(head, "Upload-Length")));
        var meta = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/files/{UploadId(finalUrl)}/meta");
        Assert.Equal(("whole.bin", TestBytes.Sha256Hex(data)), (meta.GetProperty("fileName").GetString(), meta.GetProperty("sha256").GetString()));
        using var download = await Http.GetAsync($"/api/v1/files/{UploadId(finalUrl)}");
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task CORS_preflight_and_responses_expose_the_tus_headers_to_the_allowed_origin_only()
    {
        var preflight = Request(HttpMethod.Options, TusPath, tusResumable: false);
        preflight.Headers.Add("Origin", GatewayFixture.TusOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "tus-resumable,upload-length,upload-metadata");
        using (var response = await Http.SendAsync(preflight))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(GatewayFixture.TusOrigin, Header(response, "Access-Control-Allow-Origin"));
            Assert.Contains("PATCH", Header(response, "Access-Control-Allow-Methods"));
            Assert.Contains("Upload-Metadata", Header(response, "Access-Control-Allow-Headers"));
        }

        var create = Create(1000, "cors.bin");
        create.Headers.Add("Origin", GatewayFixture.TusOrigin);
        using (var created = await Http.SendAsync(create))
        {
            var exposed = Header(created, "Access-Control-Expose-Headers");
            Assert.All(["Location", "Upload-Offset", "Upload-Length", "Tus-Resumable", "Upload-Expires"], h => Assert.Contains(h, exposed));
            var head = Request(HttpMethod.Head, created.Headers.Location!.OriginalString);
            head.Headers.Add("Origin", GatewayFixture.TusOrigin);
            using var forwarded = await Http.SendAsync(head);
            Assert.Equal((GatewayFixture.TusOrigin, "1.0.0"), (Header(forwarded, "Access-Control-Allow-Origin"), Header(forwarded, "Tus-Resumable")));
        }

        var other = Request(HttpMethod.Options, TusPath, tusResumable: false);
        other.Headers.Add("Origin", "http://elsewhere.example");
        other.Headers.Add("Access-Control-Request-Method", "POST");
        using var refused = await Http.SendAsync(other);
        Assert.Equal("", Header(refused, "Access-Control-Allow-Origin"));
    }
}
