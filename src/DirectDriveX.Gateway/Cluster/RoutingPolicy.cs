using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Cluster;

/// <summary>
/// Which node should take a new upload, pure: nodes whose headroom covers the upload's reservation, most headroom first;
/// ties go to the node with fewer leases, then by node id so the order is stable.
/// </summary>
public static class RoutingPolicy
{
    public static IReadOnlyList<MemoryBudgetSnapshot> Rank(IEnumerable<MemoryBudgetSnapshot> nodes, long reservationBytes) =>
        nodes.Where(n => n.HeadroomBytes >= reservationBytes)
            .OrderByDescending(n => n.HeadroomBytes)
            .ThenBy(n => n.LeaseCount)
            .ThenBy(n => n.NodeId, StringComparer.Ordinal)
            .ToList();

    /// <summary>The reservation a new upload of <paramref name="size"/> bytes will ask for (its tier).</summary>
    public static long ReservationFor(long size) => size > 0 ? TieredReservationPolicy.ReservationFor(size) : 0;
}
