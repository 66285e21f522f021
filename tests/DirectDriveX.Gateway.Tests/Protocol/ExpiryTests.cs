using System.Net.WebSockets;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Protocol;

[Collection(ExpiringGatewayCollection.Name)]
public class ExpiryTests(ExpiringGatewayFixture fixture)
{
    [Fact]
    public async Task A_client_that_stops_sending_loses_its_lease_and_the_budget_returns()
    {
        var data = TestBytes.Random(3_000_000, seed: 30);
        var created = await fixture.CreateUploadAsync("stall.bin", data.Length);
        await using var client = await UploadSocketClient.ConnectAsync(new Uri(created.WebSocketUrl));
        await client.ReceiveJsonAsync();
        var first = await client.SendAsync(data, 0, created.ChunkSize, created.ChunkSize, created.ReservedBytes);
        Assert.Equal(("ack", (long)created.ChunkSize), (first.GetProperty("type").GetString(), first.GetProperty("offset").GetInt64()));
        var grain = fixture.Grains.GetGrain<IUploadSessionGrain>(created.UploadId);

        // Nothing more is sent: the session expires, its lease returns, and the silent client is told without asking.
        var status = await Eventually.Holds(grain.GetState, s => s.State == UploadState.Expired, TimeSpan.FromSeconds(15), "the session expires");
        Assert.Equal(created.ChunkSize, status.CommittedOffset);
        var nodes = await fixture.SnapshotsAsync();
        Assert.All(nodes, n => Assert.Equal(0, n.LeaseCount));

        var end = (await client.ReceiveJsonAsync(TimeSpan.FromSeconds(15)))!.Value;
        Assert.Equal(("error", "Expired"), (end.GetProperty("type").GetString(), end.GetProperty("reason").GetString()));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ClosedAsync());
    }
}
