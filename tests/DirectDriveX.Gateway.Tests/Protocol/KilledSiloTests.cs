using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>
/// A session outlives its node: the silo holding an upload is killed mid-upload; the client's reconnect through the gateway
/// reaches the session reactivated on a survivor (which re-reserves there), continues from the committed offset and
/// completes byte-identical; afterwards no node holds a lease.
/// </summary>
public sealed class KilledSiloTests : IAsyncLifetime
{
    private const long GiB = 1024L * 1024 * 1024;
    private static readonly Dictionary<string, long> Caps = new() { ["Silo_0"] = 1 * GiB, ["Silo_1"] = 2 * GiB, ["Silo_2"] = 3 * GiB };
    private readonly GatewayOverTestCluster _host = new(3, silo => new Dictionary<string, string?>
    {
        ["MemoryBudget:MemoryLimitBytes"] = Caps[silo].ToString(),
        ["Orleans:Membership:ProbeTimeout"] = "00:00:01",
        ["Orleans:Membership:NumMissedProbesLimit"] = "2",
    });
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        await _host.StartAsync();
        _http = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task An_upload_whose_silo_is_killed_resumes_on_a_survivor_and_completes_byte_identical()
    {
        var data = TestBytes.Random(24 * 1024 * 1024 + 3, seed: 60);
        using var response = await _http.PostAsJsonAsync("/api/v1/uploads", new { fileName = "survivor.bin", size = data.Length, sha256 = TestBytes.Sha256Hex(data) });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Silo_2", created.GetProperty("node").GetString()); // the most headroom; Silo_0 hosts the test membership
        var (uploadId, token, chunk) = (created.GetProperty("uploadId").GetString()!, created.GetProperty("resumeToken").GetString()!, created.GetProperty("chunkSize").GetInt32());
        var socketUri = new Uri($"ws://{_host.BaseAddress.Authority}/ws/upload/{uploadId}?token={Uri.EscapeDataString(token)}");

        await using (var first = await UploadSocketClient.ConnectAsync(socketUri))
        {
            await first.ReceiveJsonAsync();
            var ack = await first.SendAsync(data, 0, chunk * 2L, chunk, chunk * 2L);
            Assert.Equal(chunk * 2L, ack.GetProperty("offset").GetInt64());
            await _host.Cluster.KillSiloAsync(_host.Cluster.Silos.Single(s => s.Name == "Silo_2"));
        }

        // Reconnect as a client does: a typed, retryable refusal (or a failed connect) means try again shortly.
        var (resumed, ready) = await Eventually.Holds<(UploadSocketClient? Client, JsonElement? Ready)>(async () =>
        {
            var client = await TryConnectAsync(socketUri);
            if (client is null) return (null, null);
            var first = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(30));
            if (first?.GetProperty("type").GetString() == "ready") return (client, first);
            Assert.Equal("NodeUnavailable", first?.GetProperty("reason").GetString()); // the only answer allowed meanwhile
            await client.DisposeAsync();
            return (null, null);
        }, r => r.Client is not null, TimeSpan.FromSeconds(90), "the upload's session answers on a survivor");
        await using var second = resumed!;
        var offset = ready!.Value.GetProperty("offset").GetInt64();
        Assert.Equal(chunk * 2L, offset);

        var end = await second.SendAsync(data, offset, data.Length, chunk, ready.Value.GetProperty("window").GetInt64());
        Assert.Equal(("complete", TestBytes.Sha256Hex(data)), (end.GetProperty("type").GetString(), end.GetProperty("sha256").GetString()));
        Assert.NotEqual("Silo_2", end.GetProperty("node").GetString());
        Assert.Equal(data, await _http.GetByteArrayAsync(end.GetProperty("downloadUrl").GetString()));

        var survivors = _host.Cluster.Silos.Where(s => s.Name != "Silo_2").Select(s => s.SiloAddress);
        var leases = await Task.WhenAll(survivors.Select(s => _host.Grains.BudgetOf(s).GetSnapshot()));
        Assert.All(leases, l => Assert.Equal((0, 0L), (l.LeaseCount, l.LeasedBytes)));
    }

    private static async Task<UploadSocketClient?> TryConnectAsync(Uri uri)
    {
        try
        {
            return await UploadSocketClient.ConnectAsync(uri);
        }
        catch (WebSocketException)
        {
            return null;
        }
    }
}
