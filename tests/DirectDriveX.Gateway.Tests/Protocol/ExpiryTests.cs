using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using static DirectDriveX.Gateway.Tests.Infrastructure.TusRequests;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>Uploads outlive their lease (issue 18), through the real gateway whose silos give a lease back after three seconds
/// without data: a paused upload parks (no lease, its bytes kept, resumable for Uploads:ResumeWindow) and finishes
/// byte-identical when its client comes back, over a new connection or the one it kept open.</summary>
[Collection(ExpiringGatewayCollection.Name)]
public class ExpiryTests(ExpiringGatewayFixture fixture)
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_13_MiB_committed_tus_upload_paused_past_the_lease_timeout_resumes_and_completes_byte_identical()
    {
        var data = TestBytes.Random(20 * MiB + 7, seed: 31);
        using var create = await fixture.Http.SendAsync(Create(data.Length, "paused.bin"));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var url = create.Headers.Location!.OriginalString;
        using (var first = await fixture.Http.SendAsync(Patch(url, 0, data.AsMemory(0, 13 * MiB))))
            Assert.Equal((HttpStatusCode.NoContent, (13 * MiB).ToString()), (first.StatusCode, Header(first, "Upload-Offset")));
        var grain = fixture.Grains.GetGrain<IUploadSessionGrain>(UploadId(url));
        var committedAt = (await grain.GetState()).LastActivityAt!.Value;

        // The laptop sleeps: the lease goes back, the bytes stay.
        var parked = await Eventually.Holds(grain.GetState, s => s.State == UploadState.Parked, TimeSpan.FromSeconds(20), "the upload parks");
        Assert.Equal(13L * MiB, parked.CommittedOffset);
        await AssertNoLeaseAsync(parked.UploadId);
        using (var head = await fixture.Http.SendAsync(Request(HttpMethod.Head, url)))
        {
            Assert.Equal((HttpStatusCode.OK, (13 * MiB).ToString(), data.Length.ToString()), (head.StatusCode, Header(head, "Upload-Offset"), Header(head, "Upload-Length")));
            var expires = DateTimeOffset.Parse(Header(head, "Upload-Expires"), CultureInfo.InvariantCulture);
            Assert.InRange(expires, committedAt.AddHours(24).AddSeconds(-1), committedAt.AddHours(24).AddSeconds(1)); // the resume window
        }

        using (var rest = await fixture.Http.SendAsync(Patch(url, 13 * MiB, data.AsMemory(13 * MiB))))
            Assert.Equal((HttpStatusCode.NoContent, data.Length.ToString()), (rest.StatusCode, Header(rest, "Upload-Offset")));
        using var download = await fixture.Http.GetAsync($"/api/v1/files/{parked.UploadId}");
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
        await AssertNoLeaseAsync(parked.UploadId);
    }

    [Fact]
    public async Task A_socket_client_that_stops_sending_keeps_its_connection_and_its_upload_parks_until_it_sends_again()
    {
        var data = TestBytes.Random(20 * MiB, seed: 30);
        var created = await fixture.CreateUploadAsync("stall.bin", data.Length);
        Assert.Equal(2 * MiB, created.ChunkSize);
        await using var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        await client.ReceiveJsonAsync();
        var acked = await client.SendAsync(data, 0, 12 * MiB, created.ChunkSize, created.ReservedBytes);
        Assert.Equal(("ack", 12L * MiB), (acked.GetProperty("type").GetString(), acked.GetProperty("offset").GetInt64()));
        var grain = fixture.Grains.GetGrain<IUploadSessionGrain>(created.UploadId);

        var parked = await Eventually.Holds(grain.GetState, s => s.State == UploadState.Parked, TimeSpan.FromSeconds(20), "the upload parks");
        Assert.Equal(12L * MiB, parked.CommittedOffset);
        await AssertNoLeaseAsync(created.UploadId);
        using (var status = new HttpRequestMessage(HttpMethod.Get, created.StatusUrl) { Headers = { { "Upload-Token", created.ResumeToken } } })
        {
            var answer = await (await fixture.Http.SendAsync(status)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("Parked", 12L * MiB), (answer.GetProperty("state").GetString(), answer.GetProperty("committedOffset").GetInt64()));
        }

        // Its next bytes resume it on the same connection: the lease is taken again and the upload completes.
        var complete = await client.SendAsync(data, 12 * MiB, data.Length, created.ChunkSize, created.ReservedBytes);
        Assert.Equal(("complete", TestBytes.Sha256Hex(data)), (complete.GetProperty("type").GetString(), complete.GetProperty("sha256").GetString()));
        using var download = await fixture.Http.GetAsync($"/api/v1/files/{created.UploadId}");
        Assert.Equal(data, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_parked_upload_resumed_over_a_new_socket_continues_from_its_committed_offset()
    {
        var data = TestBytes.Random(10 * MiB, seed: 32);
        var created = await fixture.CreateUploadAsync("reconnect.bin", data.Length, TestBytes.Sha256Hex(data));
        await using (var first = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl)))
        {
            await first.ReceiveJsonAsync();
            await first.SendAsync(data, 0, 4 * MiB, created.ChunkSize, created.ReservedBytes);
        }
        var grain = fixture.Grains.GetGrain<IUploadSessionGrain>(created.UploadId);
        await Eventually.Holds(grain.GetState, s => s.State == UploadState.Parked, TimeSpan.FromSeconds(20), "the upload parks");

        await using var second = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        var ready = (await second.ReceiveJsonAsync())!.Value;
        Assert.Equal(("ready", 4L * MiB), (ready.GetProperty("type").GetString(), ready.GetProperty("offset").GetInt64()));
        var complete = await second.SendAsync(data, 4 * MiB, data.Length, created.ChunkSize, created.ReservedBytes);
        Assert.Equal("complete", complete.GetProperty("type").GetString());
        Assert.Equal(UploadState.Completed, (await grain.GetState()).State);
    }

    private async Task AssertNoLeaseAsync(string uploadId)
    {
        foreach (var silo in fixture.Cluster.Silos)
            Assert.DoesNotContain((await fixture.Grains.BudgetOf(silo.SiloAddress).GetState()).Leases, l => l.SessionId == uploadId);
    }
}
