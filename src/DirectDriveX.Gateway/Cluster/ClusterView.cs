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
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Placement, bool> _placements = new();
    private volatile Snapshot _current = new([], DateTimeOffset.MinValue);

    private readonly Lock _placing = new();

    private TimeProvider Clock => clock;

    public async Task<IReadOnlyList<MemoryBudgetSnapshot>> GetNodesAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var seen = _current;
        if (!forceRefresh && clock.GetUtcNow() - seen.TakenAt < options.Value.SnapshotMaxAge) return seen.Nodes;

        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            // Someone else refreshed while we waited: theirs is as fresh as ours would be.
            if (!ReferenceEquals(_current, seen)) return _current.Nodes;
            var readFrom = clock.GetUtcNow();
            var nodes = await ReadAsync(cancellationToken);
            foreach (var placement in _placements.Keys) // the nodes' figures count every lease granted before the read began
                if (placement.GrantedAt < readFrom) _placements.TryRemove(placement, out _);
            _current = new Snapshot(nodes, clock.GetUtcNow());
            return nodes;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>This gateway is placing an upload reserving <paramref name="reservedBytes"/> on node <paramref name="nodeId"/>:
    /// <see cref="WithPlacements"/> counts it from now until a refresh that began after its node granted it (whose figures
    /// count its lease), so a burst of concurrent creates does not all go to the node the last refresh saw as best. Dispose
    /// the result with the node's answer (<see cref="Placement.Granted"/> first when it was granted). The snapshots
    /// themselves stay what the nodes said.</summary>
    public Placement BeginPlacement(string nodeId, long reservedBytes)
    {
        var placement = new Placement(this, nodeId, reservedBytes);
        _placements[placement] = true;
        return placement;
    }

    /// <summary>Ranks <paramref name="nodes"/> by <see cref="RoutingPolicy"/>, with this gateway's placements counted in, and
    /// begins placing on the first not in <paramref name="tried"/>: at once, so that concurrent creates each see the ones
    /// before them. Null when no node is left.</summary>
    public Placement? PlaceNext(IReadOnlyList<MemoryBudgetSnapshot> nodes, long reservedBytes, IReadOnlySet<string> tried)
    {
        lock (_placing)
        {
            var next = RoutingPolicy.Rank(WithPlacements(nodes), reservedBytes).FirstOrDefault(n => !tried.Contains(n.NodeId));
            return next is null ? null : BeginPlacement(next.NodeId, reservedBytes);
        }
    }

    /// <summary><paramref name="nodes"/> with this gateway's placements that no refresh has counted yet, for ranking.</summary>
    private IReadOnlyList<MemoryBudgetSnapshot> WithPlacements(IReadOnlyList<MemoryBudgetSnapshot> nodes)
    {
        var placed = _placements.Keys.GroupBy(p => p.NodeId).ToDictionary(g => g.Key, g => (Bytes: g.Sum(p => p.Bytes), Count: g.Count()));
        return [.. nodes.Select(n => placed.TryGetValue(n.NodeId, out var p)
            ? n with { HeadroomBytes = n.HeadroomBytes - p.Bytes, LeasedBytes = n.LeasedBytes + p.Bytes, LeaseCount = n.LeaseCount + p.Count }
            : n)];
    }

    /// <summary>One upload this gateway is placing, or has placed since the last refresh began.</summary>
    public sealed class Placement(ClusterView view, string nodeId, long bytes) : IDisposable
    {
        public string NodeId => nodeId;
        public long Bytes => bytes;
        internal DateTimeOffset? GrantedAt { get; private set; }

        /// <summary>The node granted it: counted until a refresh that begins after now.</summary>
        public void Granted() => GrantedAt = view.Clock.GetUtcNow();

        /// <summary>Not granted: no longer counted. Granted: left for the refresh to drop.</summary>
        public void Dispose()
        {
            if (GrantedAt is null) view._placements.TryRemove(this, out _);
        }
    }

    /// <summary>The active silos as last read: membership cannot change while the table (Redis) is unreachable, so the
    /// nodes are still asked for their snapshots then, and routing goes on. Once there is such a list, a read of the
    /// membership may take at most <see cref="MembershipReadTimeout"/> (it takes milliseconds when the table answers), so that
    /// a create with Redis down is answered within 2 s.</summary>
    private SiloAddress[] _lastHosts = [];

    public static readonly TimeSpan MembershipReadTimeout = TimeSpan.FromMilliseconds(250);

    private async Task<IReadOnlyList<MemoryBudgetSnapshot>> ReadAsync(CancellationToken cancellationToken)
    {
        SiloAddress[] silos;
        try
        {
            silos = [.. (await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)
                .WaitAsync(_lastHosts.Length > 0 ? MembershipReadTimeout : options.Value.SnapshotTimeout, cancellationToken)).Keys];
            _lastHosts = silos;
        }
        catch (Exception e) when (_lastHosts.Length > 0 && e is not OperationCanceledException)
        {
            LogMembershipUnread(e.GetType().Name);
            silos = _lastHosts;
        }
        var hosts = silos.ToDictionary(s => s, _ => 0);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster's membership could not be read ({Error}); routing with the silos last seen")]
    private partial void LogMembershipUnread(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} did not give its budget snapshot; left out of routing")]
    private partial void LogSiloDropped(Exception exception, string silo);
}
