using DirectDriveX.Gateway.Cluster;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Routing;

/// <summary>Three silos with different memory caps: every new upload lands on the node the routing policy ranks first (most
/// headroom, equals within the spread band by fewer live uploads), and placement moves as the leases it takes change that.</summary>
[Collection(GatewayCollection.Name)]
public class RoutingIntegrationTests(DefaultGatewayFixture fixture)
{
    [Fact]
    public async Task New_uploads_land_on_the_node_with_most_headroom_and_move_as_it_changes()
    {
        var created = new List<GatewayFixture.Created>();
        try
        {
            var landings = new List<string>();
            for (var i = 0; i < 24; i++)
            {
                var before = await fixture.SnapshotsAsync();
                var best = RoutingPolicy.Rank(before, RoutingPolicy.ReservationFor(2L * 1024 * 1024 * 1024)).First();
                var upload = await fixture.CreateUploadAsync($"f{i}.bin", 2L * 1024 * 1024 * 1024); // reserves 100 MiB
                created.Add(upload);
                Assert.Equal(best.NodeName, upload.Node);
                landings.Add(upload.Node);
            }

            // Silo_2 (3 GiB) leads by ~0.9 GiB over Silo_1 (2 GiB): it takes the first uploads alone while it leads by more
            // than the spread band (256 MiB), then they alternate by live uploads; Silo_0 (1 GiB, 512 MiB headroom) is never
            // within the band of the most within 24 uploads.
            Assert.Equal(Enumerable.Repeat("Silo_2", 7), landings.Take(7));
            Assert.Contains("Silo_1", landings);
            Assert.DoesNotContain("Silo_0", landings);
        }
        finally
        {
            foreach (var upload in created) await fixture.Grains.GetGrain<IUploadSessionGrain>(upload.UploadId).Abort();
        }
        // Every lease it took came back (other tests' sessions may end meanwhile, so the leases are compared by session).
        var ours = created.Select(upload => upload.UploadId).ToHashSet();
        foreach (var silo in fixture.Cluster.Silos)
            Assert.DoesNotContain((await fixture.Grains.BudgetOf(silo.SiloAddress).GetState()).Leases, lease => ours.Contains(lease.SessionId));
    }
}
