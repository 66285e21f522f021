using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using static DirectDriveX.Gateway.Tests.Infrastructure.TusRequests;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>
/// concatenation-unfinished (tus 1.0.0): a final upload created while its partial uploads are still in progress, through the
/// gateway in front of three silos, with partial uploads held by different silos. Until the last partial upload completes,
/// HEAD of the final answers no Upload-Offset (the spec: SHOULD NOT before the concatenation has finished) and its
/// Upload-Length once every partial's is known; then both, equal, and the stored file is the partial uploads' bytes in order.
/// </summary>
[Collection(GatewayCollection.Name)]
public class TusUnfinishedConcatenationTests(DefaultGatewayFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task A_final_upload_of_unfinished_partials_on_two_silos_answers_no_Upload_Offset_until_the_last_completes_then_is_their_bytes()
    {
        var data = TestBytes.Random(300_000, seed: 185);
        var nodes = (await fixture.SnapshotsAsync()).OrderBy(n => n.NodeName).ToList();
        var first = await CreateOnNodeAsync(new Uri(nodes[0].DataPlaneUrl!), Create(100_000, concat: "partial"));
        var second = await CreateOnNodeAsync(new Uri(nodes[1].DataPlaneUrl!), Create(200_000, concat: "partial"));
        Assert.NotEqual(await HostOfAsync(first), await HostOfAsync(second));
        using (var patch = await Http.SendAsync(Patch(first, 0, data.AsMemory(0, 40_000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);

        var metadata = $"filename {Convert.ToBase64String("joined.bin"u8.ToArray())}";
        var concat = $"final;{first} {new Uri(fixture.BaseAddress, second)}";
        var final = await CreateFinalAsync(concat, metadata);
        Assert.False(await SessionExistsAsync(UploadId(final))); // nothing reserved for it yet: its session starts with the copy
        using (var head = await HeadAsync(final))
        {
            Assert.Equal((HttpStatusCode.OK, "", "300000", concat, metadata, "no-store", "1.0.0"),
                (head.StatusCode, Header(head, "Upload-Offset"), Header(head, "Upload-Length"), Header(head, "Upload-Concat"),
                 Header(head, "Upload-Metadata"), head.Headers.CacheControl?.ToString(), Header(head, "Tus-Resumable")));
        }
        using (var patch = await Http.SendAsync(Patch(final, 0, new byte[10])))
        {
            Assert.Equal((HttpStatusCode.Forbidden, "1.0.0"), (patch.StatusCode, Header(patch, "Tus-Resumable")));
            Assert.Equal("ReadOnly", (await patch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        }

        using (var patch = await Http.SendAsync(Patch(first, 40_000, data.AsMemory(40_000, 60_000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        using (var head = await HeadAsync(final)) Assert.Equal((HttpStatusCode.OK, ""), (head.StatusCode, Header(head, "Upload-Offset")));
        using (var patch = await Http.SendAsync(Patch(second, 0, data.AsMemory(100_000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);

        // The last partial's completion starts the copy, on the node that completed it; the final completes on its own, and
        // a client learns it as a tus client does: HEAD until Upload-Offset comes.
        await Eventually.Holds(async () =>
        {
            using var head = await HeadAsync(final);
            return Header(head, "Upload-Offset");
        }, offset => offset != "", Deadline, "HEAD of the final answers Upload-Offset");
        Assert.Equal(UploadState.Completed, (await fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(final)).GetState()).State);
        using (var head = await HeadAsync(final))
            Assert.Equal((HttpStatusCode.OK, "300000", "300000", concat, metadata),
                (head.StatusCode, Header(head, "Upload-Offset"), Header(head, "Upload-Length"), Header(head, "Upload-Concat"), Header(head, "Upload-Metadata")));
        using (var head = await HeadAsync(first)) Assert.Equal(("partial", "100000"), (Header(head, "Upload-Concat"), Header(head, "Upload-Offset")));
        using (var download = await Http.GetAsync($"/api/v1/files/{UploadId(final)}"))
        {
            Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
            Assert.Equal(TestBytes.Sha256Hex(data), Header(download, "X-Content-SHA256"));
        }
        var meta = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/files/{UploadId(final)}/meta");
        Assert.Equal("joined.bin", meta.GetProperty("fileName").GetString());

        using (var patch = await Http.SendAsync(Patch(final, 300_000, new byte[10]))) Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        using (var delete = await Http.SendAsync(Request(HttpMethod.Delete, final))) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var head = await HeadAsync(final)) Assert.Equal(HttpStatusCode.Gone, head.StatusCode); // terminated
        using (var download = await Http.GetAsync($"/api/v1/files/{UploadId(final)}")) Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
    }

    [Fact]
    public async Task A_final_upload_completes_without_a_HEAD_while_status_calls_activate_its_id_on_any_silo()
    {
        // Status calls about the final's session id (from a client with no placement hint: any silo) may race the concatenation's
        // start on the node that completed the last partial; the final must complete by itself all the same. (The race is rare
        // here; the way a start lands where it must is tested deterministically in UploadSessionGrainTests.)
        var data = TestBytes.Random(200_000, seed: 186);
        var nodes = (await fixture.SnapshotsAsync()).OrderBy(n => n.NodeName).ToList();
        var first = await CreateOnNodeAsync(new Uri(nodes[0].DataPlaneUrl!), Create(100_000, concat: "partial"));
        var second = await CreateOnNodeAsync(new Uri(nodes[1].DataPlaneUrl!), Create(100_000, concat: "partial"));
        var final = await CreateFinalAsync($"final;{first} {new Uri(fixture.BaseAddress, second)}", null);
        var session = fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(final));
        using (var patch = await Http.SendAsync(Patch(first, 0, data.AsMemory(0, 100_000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        using (var patch = await Http.SendAsync(Patch(second, 0, data.AsMemory(100_000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);

        await Eventually.Holds(async () => (await session.GetState()).State, state => state == UploadState.Completed, Deadline,
            "the final completes with no HEAD asked");
        using var download = await Http.GetAsync($"/api/v1/files/{UploadId(final)}");
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_partial_upload_finished_by_another_protocol_starts_the_final_too()
    {
        // Concatenation is the upload lifecycle's, not tus's: the last partial upload's bytes come by PUT chunks (its id and the
        // token its tus URL carries), and the final it completes is concatenated all the same.
        var data = TestBytes.Random(150_000, seed: 187);
        var first = await CreateAsync(Create(50_000, concat: "partial"));
        var second = await CreateAsync(Create(100_000, concat: "partial"));
        using (var patch = await Http.SendAsync(Patch(first, 0, data.AsMemory(0, 50_000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var final = await CreateFinalAsync($"final;{first} {second}");
        var session = fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(final));

        var token = second[(second.LastIndexOf('/') + 1)..].Split('.')[1];
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{UploadId(second)}/chunks?offset=0")
        {
            Content = new ByteArrayContent(data, 50_000, 100_000),
        };
        put.Headers.Add("Upload-Token", token);
        using (var answer = await Http.SendAsync(put)) Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        await Eventually.Holds(async () => (await session.GetState()).State, state => state == UploadState.Completed, Deadline,
            "the final completes once its last partial is stored by PUT chunks");
        using var download = await Http.GetAsync($"/api/v1/files/{UploadId(final)}");
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Its_Upload_Length_is_answered_once_a_partial_of_deferred_length_declares_its_own()
    {
        var data = TestBytes.Random(3000, seed: 186);
        var deferred = Request(HttpMethod.Post, TusPath);
        deferred.Headers.Add("Upload-Defer-Length", "1");
        deferred.Headers.Add("Upload-Concat", "partial");
        var first = await CreateAsync(deferred);
        var second = await CreateAsync(Create(1000, concat: "partial"));
        var final = await CreateFinalAsync($"final;{first} {second}");
        using (var head = await HeadAsync(final))
            Assert.Equal((HttpStatusCode.OK, "", ""), (head.StatusCode, Header(head, "Upload-Offset"), Header(head, "Upload-Length")));

        using (var patch = await Http.SendAsync(Patch(first, 0, data.AsMemory(0, 1500)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var declare = Patch(first, 1500, data.AsMemory(1500, 500));
        declare.Headers.Add("Upload-Length", "2000");
        using (var patch = await Http.SendAsync(declare)) Assert.Equal((HttpStatusCode.NoContent, "2000"), (patch.StatusCode, Header(patch, "Upload-Offset")));
        using (var head = await HeadAsync(final))
            Assert.Equal((HttpStatusCode.OK, "", "3000"), (head.StatusCode, Header(head, "Upload-Offset"), Header(head, "Upload-Length")));

        using (var patch = await Http.SendAsync(Patch(second, 0, data.AsMemory(2000)))) Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var done = await Eventually.Holds(async () =>
        {
            using var head = await HeadAsync(final);
            return (Header(head, "Upload-Offset"), Header(head, "Upload-Length"));
        }, h => h.Item1 != "", Deadline, "HEAD of the final answers Upload-Offset");
        Assert.Equal(("3000", "3000"), done);
        using var download = await Http.GetAsync($"/api/v1/files/{UploadId(final)}");
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Terminating_it_before_the_partials_finish_is_204_then_410_and_a_terminated_partial_ends_it_410()
    {
        var first = await CreateAsync(Create(1000, concat: "partial"));
        var second = await CreateAsync(Create(1000, concat: "partial"));
        var final = await CreateFinalAsync($"final;{first} {second}");
        var other = await CreateFinalAsync($"final;{second} {first}");

        using (var wrongToken = await HeadAsync(final[..(final.LastIndexOf('.') + 1)] + UploadIds.NewResumeToken()))
            Assert.Equal((HttpStatusCode.Forbidden, ""), (wrongToken.StatusCode, Header(wrongToken, "Upload-Offset")));
        using (var delete = await Http.SendAsync(Request(HttpMethod.Delete, final))) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var head = await HeadAsync(final)) Assert.Equal((HttpStatusCode.Gone, "1.0.0"), (head.StatusCode, Header(head, "Tus-Resumable")));
        using (var patch = await Http.SendAsync(Patch(final, 0, new byte[1]))) Assert.Equal(HttpStatusCode.Gone, patch.StatusCode);

        using (var delete = await Http.SendAsync(Request(HttpMethod.Delete, second))) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var head = await HeadAsync(other)) Assert.Equal((HttpStatusCode.Gone, ""), (head.StatusCode, Header(head, "Upload-Offset")));
        using (var create = await Http.SendAsync(FinalRequest($"final;{first} {second}")))
            Assert.Equal((HttpStatusCode.Gone, "Aborted"), (create.StatusCode, (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString()));
        using (var delete = await Http.SendAsync(Request(HttpMethod.Delete, first))) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Fact]
    public async Task A_final_of_unfinished_partials_over_the_maximum_is_413_and_one_of_an_unknown_partial_404()
    {
        var big = await CreateAsync(Create(15 * GatewayFixture.GiB, concat: "partial"));
        var other = await CreateAsync(Create(6 * GatewayFixture.GiB, concat: "partial"));
        using (var response = await Http.SendAsync(FinalRequest($"final;{big} {other}")))
            Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "1.0.0", ""), (response.StatusCode, Header(response, "Tus-Resumable"), Header(response, "Location")));
        using (var response = await Http.SendAsync(FinalRequest($"final;{big} {TusPath}{UploadIds.NewId()}.{UploadIds.NewResumeToken()}")))
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        foreach (var url in new[] { big, other })
            using (var delete = await Http.SendAsync(Request(HttpMethod.Delete, url))) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    private static HttpRequestMessage FinalRequest(string concat, string? metadata = null)
    {
        var request = Request(HttpMethod.Post, TusPath);
        request.Headers.Add("Upload-Concat", concat);
        if (metadata is not null) request.Headers.Add("Upload-Metadata", metadata);
        return request;
    }

    private async Task<string> CreateFinalAsync(string concat, string? metadata = null) => await CreateAsync(FinalRequest(concat, metadata));

    private async Task<string> CreateAsync(HttpRequestMessage create)
    {
        using var response = await Http.SendAsync(create);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>A creation sent to a node's own data plane: the session starts on that node.</summary>
    private static async Task<string> CreateOnNodeAsync(Uri node, HttpRequestMessage create)
    {
        using var http = new HttpClient { BaseAddress = node };
        using var response = await http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    private async Task<string?> HostOfAsync(string url) => (await fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(url)).GetState()).ActiveNodeId;

    private async Task<bool> SessionExistsAsync(string uploadId) =>
        (await fixture.Grains.GetGrain<IUploadSessionGrain>(uploadId).GetState()).Failure?.Reason != RefusalReason.NotFound;

    private async Task<HttpResponseMessage> HeadAsync(string url) => await Http.SendAsync(Request(HttpMethod.Head, url));
}
