using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Cluster;

/// <summary>
/// Which node should take a new upload, pure. Only nodes whose headroom covers the upload's reservation are candidates.
/// A node that is shutting down (<see cref="MemoryBudgetSnapshot.Draining"/>) is never one.
/// Most headroom wins, with two refinements that make headroom count what a node can serve:
/// <list type="bullet">
/// <item>a node whose chunk buffers have writers waiting cannot serve one more writer soon: it comes after every node that
/// can, whatever its headroom;</item>
/// <item>nodes whose headroom is within <see cref="SpreadBand"/> of the most are equals, and the one with fewer live uploads
/// goes first, so a burst of uploads spreads over comparable nodes instead of piling on one (each upload also costs its
/// node CPU, disk bandwidth and a chunk of page cache that its lease does not count).</item>
/// </list>
/// Ties go to fewer leases, then to the node id, so the order is stable.
/// </summary>
public static class RoutingPolicy
{
    /// <summary>Headroom differences smaller than this are not a reason to prefer a node: 256 MiB.</summary>
    public const long SpreadBandMinimumBytes = 256L * 1024 * 1024;

    public static IReadOnlyList<MemoryBudgetSnapshot> Rank(IEnumerable<MemoryBudgetSnapshot> nodes, long reservationBytes)
    {
        var candidates = nodes.Where(n => !n.Draining && n.HeadroomBytes >= reservationBytes).ToList();
        var serving = candidates.Where(n => n.BufferWaiters == 0).ToList();
        var best = (serving.Count > 0 ? serving : candidates).Select(n => n.HeadroomBytes).DefaultIfEmpty(0).Max();
        var equals = best - SpreadBand(best);
        return candidates
            .OrderBy(n => n.BufferWaiters > 0)
            .ThenByDescending(n => n.HeadroomBytes >= equals)
            .ThenBy(n => n.HeadroomBytes >= equals ? n.LeaseCount : 0)
            .ThenByDescending(n => n.HeadroomBytes)
            .ThenBy(n => n.LeaseCount)
            .ThenBy(n => n.NodeId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>How far below the most headroom a node still counts as its equal: a tenth of it, and at least
    /// <see cref="SpreadBandMinimumBytes"/>.</summary>
    public static long SpreadBand(long mostHeadroomBytes) => Math.Max(SpreadBandMinimumBytes, mostHeadroomBytes / 10);

    /// <summary>The reservation a new upload of <paramref name="size"/> bytes will ask for (its tier).</summary>
    public static long ReservationFor(long size) => size > 0 ? TieredReservationPolicy.ReservationFor(size) : 0;
}
