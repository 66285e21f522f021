using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;
using Xunit.Abstractions;
using static DirectDriveX.Gateway.Tests.Infrastructure.GatewayFixture;

namespace DirectDriveX.Gateway.Tests.Clients;

/// <summary>Clients counted cluster-wide, through the real gateway: each test is its own clients (its own addresses).</summary>
public class ClientAdmissionTests(ClientLimitsFixture fixture, ITestOutputHelper output) : IClassFixture<ClientLimitsFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task The_sixth_live_upload_of_one_address_is_TooManyUploads_in_every_protocol_and_costs_no_lease()
    {
        var client = new ClientRequests(Http, address: "198.51.100.1");
        var live = new List<ClientRequests.Answer>();
        for (var i = 0; i < 5; i++)
        {
            var created = await client.CreateAsync(1 * MiB);
            Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
            live.Add(created);
        }
        var leasesBefore = await LeaseCountAsync();

        var native = await client.CreateAsync(1 * MiB);
        Assert.Equal(HttpStatusCode.TooManyRequests, native.Status);
        Assert.Equal("TooManyUploads", native.Reason);
        Assert.Equal("Client addr:198.51.100.1 already has 5 live uploads, the most it may hold at once (5); retry when one ends.", native.Detail);
        Assert.Equal(("addr:198.51.100.1", "concurrentUploads", 5L, 5L, JsonValueKind.Null),
            (native.Quota.GetProperty("clientId").GetString(), native.Quota.GetProperty("quota").GetString(),
             native.Quota.GetProperty("used").GetInt64(), native.Quota.GetProperty("limit").GetInt64(), native.Quota.GetProperty("resetsAt").ValueKind));
        Assert.Equal(TimeSpan.FromSeconds(5), native.Headers.RetryAfter!.Delta);

        var legacy = await client.LegacyInitiateAsync(1 * MiB);
        var multipart = await client.MultipartAsync(TestBytes.Random(1000, seed: 1));
        var tus = await client.TusCreateAsync(1000);
        var tusWithBytes = await client.TusCreateAsync(1000, TestBytes.Random(1000, seed: 2));
        foreach (var answer in new[] { legacy, multipart, tus, tusWithBytes })
        {
            Assert.True(answer.Status == HttpStatusCode.TooManyRequests, answer.ToString());
            Assert.Equal(("TooManyUploads", native.Detail), (answer.Reason, answer.Detail));
        }
        Assert.Equal(leasesBefore, await LeaseCountAsync()); // refused creates reserved nothing

        var other = await new ClientRequests(Http, address: "198.51.100.2").CreateAsync(1 * MiB);
        Assert.Equal(HttpStatusCode.Created, other.Status);
        await AbortAsync(other);

        await AbortAsync(live[0]); // a way out frees the slot at once
        var again = await client.CreateAsync(1 * MiB);
        Assert.Equal(HttpStatusCode.Created, again.Status);
        foreach (var created in live.Skip(1).Append(again)) await AbortAsync(created);
        Assert.Empty((await Usage("addr:198.51.100.1")).LiveUploads);
    }

    [Fact]
    public async Task A_keyless_client_is_held_to_its_largest_file_and_its_bytes_per_day_with_the_figures_and_the_reset()
    {
        var client = new ClientRequests(Http, address: "198.51.100.3");
        var tooLarge = await client.CreateAsync(ClientLimitsFixture.KeylessMaxFile + 1);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
        Assert.Equal(("FileTooLarge", $"Client addr:198.51.100.3 may upload files of at most {ClientLimitsFixture.KeylessMaxFile} bytes; this one declares {ClientLimitsFixture.KeylessMaxFile + 1}. An API key may allow more."),
            (tooLarge.Reason, tooLarge.Detail));

        var first = await client.CreateAsync(3 * GiB);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        var over = await client.CreateAsync(2 * GiB);
        var midnight = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.Status);
        Assert.Equal("QuotaExceeded", over.Reason);
        Assert.Equal(("addr:198.51.100.3", "bytesPerDay", 3 * GiB, ClientLimitsFixture.KeylessPerDay, midnight, 2 * GiB),
            (over.Quota.GetProperty("clientId").GetString(), over.Quota.GetProperty("quota").GetString(), over.Quota.GetProperty("used").GetInt64(),
             over.Quota.GetProperty("limit").GetInt64(), over.Quota.GetProperty("resetsAt").GetDateTimeOffset(), over.Quota.GetProperty("requestedBytes").GetInt64()));
        var untilReset = (midnight - DateTimeOffset.UtcNow).TotalSeconds;
        Assert.InRange(over.Headers.RetryAfter!.Delta!.Value.TotalSeconds, untilReset - 30, untilReset + 2); // whole seconds, rounded up

        // The bytes a session never received go back to the day's quota when it ends.
        await AbortAsync(first);
        var afterAbort = await client.CreateAsync(2 * GiB);
        Assert.Equal(HttpStatusCode.Created, afterAbort.Status);
        Assert.Equal(2 * GiB, (await Usage("addr:198.51.100.3")).BytesToday);

        // The same address with a key is another client, with the key's limits (bulk: none on size or bytes).
        var keyed = await new ClientRequests(Http, address: "198.51.100.3", apiKey: ClientLimitsFixture.BulkKey).CreateAsync(ClientLimitsFixture.KeylessMaxFile + GiB);
        Assert.Equal(HttpStatusCode.Created, keyed.Status);
        await AbortAsync(afterAbort);
        await AbortAsync(keyed);
    }

    [Fact]
    public async Task An_API_key_is_one_client_whatever_header_or_address_carries_it_and_a_wrong_key_is_401()
    {
        var viaBearer = await new ClientRequests(Http, address: "198.51.100.4", apiKey: ClientLimitsFixture.CiKey).CreateAsync(MiB);
        var viaHeader = await new ClientRequests(Http, address: "198.51.100.5", apiKey: ClientLimitsFixture.CiKey, bearer: false).CreateAsync(MiB);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (viaBearer.Status, viaHeader.Status));

        var third = await new ClientRequests(Http, address: "198.51.100.6", apiKey: ClientLimitsFixture.CiKey).CreateAsync(MiB);
        Assert.Equal((HttpStatusCode.TooManyRequests, "TooManyUploads"), (third.Status, third.Reason));
        Assert.Equal(("key:ci", 2L, 2L), (third.Quota.GetProperty("clientId").GetString(), third.Quota.GetProperty("used").GetInt64(), third.Quota.GetProperty("limit").GetInt64()));
        Assert.Equal(HttpStatusCode.Created, (await new ClientRequests(Http, address: "198.51.100.4").CreateAsync(MiB)).Status); // the address without the key: another client

        var wrong = await new ClientRequests(Http, address: "198.51.100.4", apiKey: "not-a-key-0123456789").CreateAsync(MiB);
        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthenticated", "The API key presented is not valid."), (wrong.Status, wrong.Reason, wrong.Detail));
        Assert.Equal("Bearer", wrong.Headers.WwwAuthenticate.Single().Scheme);

        // The resume token alone authorises the upload itself.
        using var status = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/uploads/{viaBearer.UploadId}") { Headers = { { "Upload-Token", viaBearer.ResumeToken } } };
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(status)).StatusCode);
        await AbortAsync(viaBearer);
        await AbortAsync(viaHeader);
        foreach (var id in (await Usage("addr:198.51.100.4")).LiveUploads) await Grains().GetGrain<IUploadSessionGrain>(id).Abort();
    }

    [Fact]
    public async Task Two_gateways_share_one_clients_count()
    {
        var second = await fixture.Host.StartGatewayAsync();
        var client = new ClientRequests(Http, address: "198.51.100.7");
        var live = new List<ClientRequests.Answer>();
        for (var i = 0; i < 5; i++)
        {
            var created = await client.CreateAsync(MiB, gateway: i % 2 == 0 ? null : second);
            Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
            live.Add(created);
        }
        var viaSecond = await client.CreateAsync(MiB, gateway: second);
        var viaFirst = await client.CreateAsync(MiB);
        Assert.Equal(("TooManyUploads", "TooManyUploads"), (viaSecond.Reason, viaFirst.Reason));
        Assert.Equal(5, (await Usage("addr:198.51.100.7")).LiveUploads.Count);
        foreach (var created in live) await AbortAsync(created);
    }

    /// <summary>Issue 11's flood: one client fires 1,000 creates of 2 GiB while another uploads. The other is admitted and
    /// completes; the flood holds at most its 5 leases, so the cluster keeps ≥ 90% of its headroom for everyone else. The
    /// flooder holds key <c>bulk</c>, whose only limit is the 5 concurrent uploads: the worst case (a keyless address is
    /// stopped sooner, by its 4 GiB a day).</summary>
    [Fact]
    public async Task A_flood_of_1000_creates_from_one_client_leaves_the_cluster_to_the_others()
    {
        var before = (await fixture.SnapshotsAsync()).Sum(n => n.HeadroomBytes);
        var flood = new ClientRequests(Http, address: "203.0.113.66", apiKey: ClientLimitsFixture.BulkKey);
        var samples = new List<(long Headroom, int Leases)>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var nodes = await fixture.SnapshotsAsync();
                lock (samples) samples.Add((nodes.Sum(n => n.HeadroomBytes), nodes.Sum(n => n.LeaseCount)));
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        });

        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(32);
        var floodTask = Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
        {
            await gate.WaitAsync();
            try { return await flood.CreateAsync(2 * GiB); }
            finally { gate.Release(); }
        }));
        var other = UploadAsOtherClientAsync(TestBytes.Random(24 * (int)MiB + 77, seed: 66));
        var answers = await floodTask;
        var floodSeconds = clock.Elapsed.TotalSeconds;
        var (completed, otherSha, expectedSha) = await other;
        await sampling.CancelAsync();
        await sampler;

        var admitted = answers.Where(a => a.Status == HttpStatusCode.Created).ToList();
        var refused = answers.Where(a => a.Status != HttpStatusCode.Created).ToList();
        Assert.Equal(5, admitted.Count);
        Assert.All(refused, a => Assert.Equal((HttpStatusCode.TooManyRequests, "TooManyUploads"), (a.Status, a.Reason)));
        Assert.True(completed, "the other client's upload did not complete");
        Assert.Equal(expectedSha, otherSha);

        var lowest = samples.Min(s => s.Headroom);
        var mostLeases = samples.Max(s => s.Leases);
        output.WriteLine($"headroom before {before / MiB} MiB, lowest during the flood {lowest / MiB} MiB ({100.0 * lowest / before:F1}%); " +
                         $"most leases {mostLeases}; {admitted.Count} admitted, {refused.Count} refused in {floodSeconds:F1} s ({samples.Count} samples)");
        Assert.True(lowest >= 0.9 * before, $"lowest headroom {lowest} is under 90% of {before}");
        Assert.True(mostLeases <= 6, $"{mostLeases} leases at once: the flood's 5 and the other client's 1 at most");
        foreach (var created in admitted) await AbortAsync(created);
    }

    private async Task<(bool Completed, string? Sha256, string Expected)> UploadAsOtherClientAsync(byte[] data)
    {
        var created = await new ClientRequests(Http, address: "198.51.100.77").CreateAsync(data.Length);
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        var chunk = created.Body.GetProperty("chunkSize").GetInt32();
        JsonElement last = default;
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{created.UploadId}/chunks?offset={offset}")
            {
                Content = new ReadOnlyMemoryContent(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") },
                },
                Headers = { { "Upload-Token", created.ResumeToken } },
            };
            using var response = await Http.SendAsync(put);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            last = await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        var sha = last.TryGetProperty("sha256", out var s) ? s.GetString() : null;
        return (sha is not null, sha, TestBytes.Sha256Hex(data));
    }

    private async Task<int> LeaseCountAsync() => (await fixture.SnapshotsAsync()).Sum(n => n.LeaseCount);

    private IClusterClient Grains() => fixture.Grains;

    private Task<ClientUsage> Usage(string clientId) => fixture.Grains.GetGrain<IUploadClientGrain>(clientId).GetState();

    private async Task AbortAsync(ClientRequests.Answer created)
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/uploads/{created.UploadId}") { Headers = { { "Upload-Token", created.ResumeToken } } };
        using var response = await Http.SendAsync(delete);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
