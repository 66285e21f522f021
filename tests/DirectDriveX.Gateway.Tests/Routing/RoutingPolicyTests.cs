using DirectDriveX.Gateway.Cluster;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Routing;

public class RoutingPolicyTests
{
    private const long MiB = 1024L * 1024;

    private static MemoryBudgetSnapshot Node(string id, long headroom, int leases = 0, int waiters = 0) =>
        new(id, id, 0, 0, 0, 0, 0, headroom, leases, 0, 0, 15, DateTimeOffset.UnixEpoch, BufferWaiters: waiters);

    [Fact]
    public void Ranks_by_headroom_and_leaves_out_nodes_below_the_reservation()
    {
        var ranked = RoutingPolicy.Rank([Node("a", 100), Node("b", 500), Node("c", 50), Node("d", 300)], reservationBytes: 100);
        Assert.Equal(["b", "d", "a"], ranked.Select(n => n.NodeId));
    }

    [Fact]
    public void Ties_go_to_fewer_leases_then_to_the_node_id()
    {
        var ranked = RoutingPolicy.Rank([Node("z", 100, leases: 1), Node("y", 100, leases: 3), Node("x", 100, leases: 1)], 10);
        Assert.Equal(["x", "z", "y"], ranked.Select(n => n.NodeId));
    }

    [Fact]
    public void A_draining_node_is_never_ranked_whatever_its_headroom()
    {
        var ranked = RoutingPolicy.Rank([Node("a", 100), Node("b", 5000) with { Draining = true }, Node("c", 300)], 10);
        Assert.Equal(["c", "a"], ranked.Select(n => n.NodeId));
    }

    [Fact]
    public void No_node_with_enough_headroom_ranks_nothing()
    {
        Assert.Empty(RoutingPolicy.Rank([Node("a", -5), Node("b", 99)], 100));
    }

    [Fact]
    public void The_most_headroom_wins_by_more_than_the_band_and_equals_within_it_go_to_fewer_live_uploads()
    {
        // Caps of 2, 3 and 4 GiB: the 4 GiB node leads by more than the band until its uploads bring it near the next.
        Assert.Equal(["c", "b", "a"], RoutingPolicy.Rank([Node("a", 1100 * MiB), Node("b", 1900 * MiB), Node("c", 2700 * MiB, leases: 20)], 13 * MiB).Select(n => n.NodeId));
        Assert.Equal(["b", "c", "a"], RoutingPolicy.Rank([Node("a", 1100 * MiB), Node("b", 1900 * MiB, leases: 2), Node("c", 2100 * MiB, leases: 30)], 13 * MiB).Select(n => n.NodeId));
        Assert.Equal(256 * MiB, RoutingPolicy.SpreadBand(2000 * MiB));
        Assert.Equal(400 * MiB, RoutingPolicy.SpreadBand(4000 * MiB));
    }

    [Fact]
    public void A_node_whose_buffers_have_waiters_comes_after_every_node_that_can_serve_a_writer_now()
    {
        var ranked = RoutingPolicy.Rank([Node("a", 900 * MiB), Node("b", 4000 * MiB, waiters: 3), Node("c", 300 * MiB)], 13 * MiB);
        Assert.Equal(["a", "c", "b"], ranked.Select(n => n.NodeId));
    }

    [Theory]
    [InlineData(2_530_644_380L, 104_857_600L)]
    [InlineData(500_000_000L, 50_000_000L)]
    [InlineData(1_000L, 200L)]
    [InlineData(0L, 0L)]
    public void The_reservation_is_the_upload_tier(long size, long expected) =>
        Assert.Equal(expected, RoutingPolicy.ReservationFor(size));
}
