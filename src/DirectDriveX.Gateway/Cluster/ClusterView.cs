using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Gateway.Cluster;

/// <summary>
/// The gateway's view of every active silo's memory budget. Snapshots are refreshed when they are older than
/// <see cref="GatewayOptions.SnapshotMaxAge"/> (at most once per that interval, however many callers ask) or on demand
/// after a refusal; a silo that is no longer active, or does not answer in time, drops out of the view at once.
/// </summary>
public sealed partial class ClusterView(IClusterClient client, TimeProvider clock, IOptions<GatewayOptions> options, ILogger<ClusterView> logger)
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private Snapshot _current = new([], DateTimeOffset.MinValue);

    public async Task<IReadOnlyList<MemoryBudgetSnapshot>> GetNodesAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var seen = Volatile.Read(ref _current);
        if (!forceRefresh && clock.GetUtcNow() - seen.TakenAt < options.Value.SnapshotMaxAge) return seen.Nodes;

        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            // Someone else refreshed while we waited: theirs is as fresh as ours would be.
            if (!ReferenceEquals(Volatile.Read(ref _current), seen)) return Volatile.Read(ref _current).Nodes;
            var nodes = await ReadAsync(cancellationToken);
            Volatile.Write(ref _current, new Snapshot(nodes, clock.GetUtcNow()));
            return nodes;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>This gateway is placing an upload reserving <paramref name="reservedBytes"/> on node <paramref name="nodeId"/>
    /// (negative: it was refused there): the node's snapshot counts it until the next refresh, so a burst of concurrent
    /// creates within one refresh interval does not all go to the node the last refresh saw as best.</summary>
    public void RecordPlacement(string nodeId, long reservedBytes)
    {
        while (true)
        {
            var seen = _current;
            var nodes = seen.Nodes.Select(n => n.NodeId == nodeId
                ? n with { HeadroomBytes = n.HeadroomBytes - reservedBytes, LeasedBytes = n.LeasedBytes + reservedBytes, LeaseCount = n.LeaseCount + Math.Sign(reservedBytes) }
                : n).ToList();
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, seen with { Nodes = nodes }, seen), seen)) return;
        }
    }

    private async Task<IReadOnlyList<MemoryBudgetSnapshot>> ReadAsync(CancellationToken cancellationToken)
    {
        var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var reads = hosts.Keys.Select(async silo =>
        {
            try
            {
                return await client.BudgetOf(silo).GetSnapshot().WaitAsync(options.Value.SnapshotTimeout, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSiloDropped(e, silo.ToString());
                return null;
            }
        });
        return (await Task.WhenAll(reads)).OfType<MemoryBudgetSnapshot>().OrderBy(n => n.NodeName, StringComparer.Ordinal).ToList();
    }

    private sealed record Snapshot(IReadOnlyList<MemoryBudgetSnapshot> Nodes, DateTimeOffset TakenAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} did not give its budget snapshot; left out of routing")]
    private partial void LogSiloDropped(Exception exception, string silo);
}
