namespace DirectDriveX.Grains.Interfaces;

/// <summary>One node's memory budget at one moment.</summary>
/// <param name="NodeId">The silo address in Orleans' parsable form; also the budget grain's key.</param>
/// <param name="NodeName">The silo's configured name (for people).</param>
/// <param name="TotalBytes">Memory the node may use: host total, cgroup limit or configured cap, whichever is smallest.</param>
/// <param name="AvailableBytes">Memory available now (MemAvailable, or cgroup limit minus usage when smaller).</param>
/// <param name="ReserveBytes">Memory never handed out (default 512 MiB).</param>
/// <param name="CeilingBytes">The usage ceiling in bytes (default 80% of total).</param>
/// <param name="LeasedBytes">Sum of live leases.</param>
/// <param name="DataPlaneUrl">The node's HTTP base address, where its data plane takes upload connections (null until its
/// HTTP server has started).</param>
/// <param name="HeadroomBytes">min(available − reserve, ceiling − used) − leased; may be negative when the host is under pressure.</param>
/// <param name="BufferWaiters">Writers waiting for one of the node's chunk buffers now: a node with waiters cannot serve
/// one more writer soon.</param>
/// <param name="Draining">The node is shutting down (SIGTERM): it takes no new upload, and its upload connections are being
/// told to reconnect, so that their sessions move to a survivor. Routing leaves it out; connections to sessions it still
/// holds are still forwarded to it (it answers them with a reconnect).</param>
[GenerateSerializer, Immutable]
public sealed record MemoryBudgetSnapshot(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string NodeName,
    [property: Id(2)] long TotalBytes,
    [property: Id(3)] long AvailableBytes,
    [property: Id(4)] long ReserveBytes,
    [property: Id(5)] long CeilingBytes,
    [property: Id(6)] long LeasedBytes,
    [property: Id(7)] long HeadroomBytes,
    [property: Id(8)] int LeaseCount,
    [property: Id(9)] int BuffersInUse,
    [property: Id(10)] long BufferBytesInUse,
    [property: Id(11)] int BufferCapacity,
    [property: Id(12)] DateTimeOffset TakenAt,
    [property: Id(13)] string? DataPlaneUrl = null,
    [property: Id(14)] int BufferWaiters = 0,
    [property: Id(15)] bool Draining = false);
