using DirectDriveX.Node.Buffers;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Placement;
using DirectDriveX.Grains.Sampling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using DirectDriveX.Node.Draining;

namespace DirectDriveX.Grains.Budget;

/// <summary>
/// The memory budget of the silo it runs on (see <see cref="SiloBoundPlacementDirector"/>), as other silos and the gateways
/// see it: a face over the silo's <see cref="NodeBudget"/>, which this silo's own sessions call in process. Leases live in
/// the silo's <see cref="LeaseBook"/>: they describe this silo's memory and die with it, but not with an activation. A timer
/// sweeps leases that were not renewed within the lease timeout and publishes the snapshot this silo's metrics read.
/// </summary>
[GrainType(GrainTypeNames.MemoryBudget)]
[SiloBoundPlacement]
[KeepAlive]
public sealed partial class MemoryBudgetGrain(
    NodeBudget budget,
    NodeResources resources,
    LeaseBook leases,
    ChunkBufferPool bufferPool,
    LocalBudgetReading reading,
    NodeHttpAddress httpAddress,
    NodeDrain drain,
    ILocalSiloDetails silo,
    TimeProvider clock,
    IOptions<MemoryBudgetOptions> options,
    ILogger<MemoryBudgetGrain> logger) : Grain, IMemoryBudgetGrain
{
    private readonly MemoryBudgetOptions _options = options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(SweepAsync, _options.SweepInterval, _options.SweepInterval);
        LogActivated(this.GetPrimaryKeyString(), silo.Name);
        return Task.CompletedTask;
    }

    public Task<LeaseGrant> TryReserve(string sessionId, long bytes) => budget.TryReserveAsync(sessionId, bytes);

    public Task<bool> Renew(string sessionId) => Task.FromResult(budget.Renew(sessionId));

    public Task<bool> Shrink(string sessionId, long bytes) => Task.FromResult(budget.Shrink(sessionId, bytes));

    public Task Release(string sessionId)
    {
        budget.Release(sessionId);
        return Task.CompletedTask;
    }

    public async Task<MemoryBudgetSnapshot> GetSnapshot()
    {
        budget.Sweep();
        return Snapshot(await resources.ReadAsync());
    }

    public async Task<MemoryBudgetState> GetState()
    {
        var sample = await resources.ReadAsync();
        budget.Sweep();
        var entries = leases.Entries()
            .Select(l => new BudgetLease(l.SessionId, l.Lease.Bytes, l.Lease.ExpiresAt))
            .OrderBy(l => l.ExpiresAt)
            .ToList();
        return new MemoryBudgetState(Snapshot(sample), entries);
    }

    private MemoryBudgetSnapshot Snapshot(NodeResourceSample sample)
    {
        var figures = budget.FiguresOf(sample);
        var pool = bufferPool.Statistics;
        var snapshot = new MemoryBudgetSnapshot(
            this.GetPrimaryKeyString(), silo.Name, figures.TotalBytes, figures.AvailableBytes, figures.ReserveBytes,
            figures.CeilingBytes, figures.LeasedBytes, figures.HeadroomBytes, leases.Count,
            pool.BuffersInUse, pool.BytesInUse, pool.Capacity, clock.GetUtcNow(), httpAddress.Url, pool.Waiting, drain.IsDraining);
        reading.Publish(snapshot);
        return snapshot;
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        budget.Sweep();
        Snapshot(await resources.ReadAsync());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory budget {NodeId} active on silo {NodeName}")]
    private partial void LogActivated(string nodeId, string nodeName);
}
