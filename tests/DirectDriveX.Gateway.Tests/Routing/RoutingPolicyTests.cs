using DirectDriveX.Gateway.Cluster;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Routing;

public class RoutingPolicyTests
{
    private static MemoryBudgetSnapshot Node(string id, long headroom, int leases = 0) =>
        new(id, id, 0, 0, 0, 0, 0, headroom, leases, 0, 0, 15, DateTimeOffset.UnixEpoch);

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
    public void No_node_with_enough_headroom_ranks_nothing()
    {
        Assert.Empty(RoutingPolicy.Rank([Node("a", -5), Node("b", 99)], 100));
    }

    [Theory]
    [InlineData(2_530_644_380L, 104_857_600L)]
    [InlineData(500_000_000L, 50_000_000L)]
    [InlineData(1_000L, 200L)]
    [InlineData(0L, 0L)]
    public void The_reservation_is_the_upload_tier(long size, long expected) =>
        Assert.Equal(expected, RoutingPolicy.ReservationFor(size));
}
