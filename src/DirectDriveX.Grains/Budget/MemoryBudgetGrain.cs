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
/// The memory budget of the silo it runs on (see <see cref="SiloBoundPlacementDirector"/>). Leases live in memory, in the
/// silo's <see cref="LeaseBook"/>: they describe this silo's memory and die with it, but not with an activation. The host's
/// figures come from <see cref="NodeResources"/>' sample (never a file read in a turn): an admission the sample would refuse
/// is decided again on a sample read then, so a refusal is never the product of a stale figure. A timer sweeps leases that
/// were not renewed within the lease timeout, so a crashed or silent session never keeps budget.
/// </summary>
[GrainType(GrainTypeNames.MemoryBudget)]
[SiloBoundPlacement]
[KeepAlive]
public sealed partial class MemoryBudgetGrain(
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
    private readonly LeaseBook _leases = leases;
    private readonly MemoryBudgetOptions _options = options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(SweepAsync, _options.SweepInterval, _options.SweepInterval);
        LogActivated(this.GetPrimaryKeyString(), silo.Name);
        return Task.CompletedTask;
    }

    public async Task<LeaseGrant> TryReserve(string sessionId, long bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        Sweep();
        var figures = Figures(await resources.ReadAsync());
        var expiresAt = clock.GetUtcNow() + _options.LeaseTimeout;
        if (_leases.TryGet(sessionId, out var held))
        {
            _leases.Renew(sessionId, expiresAt);
            return new LeaseGrant(true, held.Bytes, expiresAt, null, figures.HeadroomBytes);
        }

        if (drain.IsDraining)
        {
            // A leaving node takes no new lease; InsufficientHeadroom sends a create on to the next node.
            return LeaseGrant.Refused(new UploadRefusal(RefusalReason.InsufficientHeadroom,
                $"Node {silo.Name} is shutting down and takes no new upload; retry on another node."));
        }
        if (!figures.Admits(bytes)) figures = Figures(await resources.ReadAsync(fresh: true));
        if (!figures.Admits(bytes))
        {
            LogRefused(sessionId, bytes, figures.HeadroomBytes);
            return LeaseGrant.Refused(new UploadRefusal(
                RefusalReason.InsufficientHeadroom,
                $"Node {silo.Name} has {figures.HeadroomBytes} bytes of headroom; the upload needs {bytes}. Retry later or on another node.",
                Figures: new BudgetFigures(
                    this.GetPrimaryKeyString(), bytes, figures.HeadroomBytes, figures.AvailableBytes,
                    figures.ReserveBytes, figures.CeilingBytes, figures.LeasedBytes)));
        }

        _leases.Grant(sessionId, bytes, expiresAt);
        LogGranted(sessionId, bytes, figures.HeadroomBytes - bytes);
        return new LeaseGrant(true, bytes, expiresAt, null, figures.HeadroomBytes - bytes);
    }

    public Task<bool> Renew(string sessionId) =>
        Task.FromResult(_leases.Renew(sessionId, clock.GetUtcNow() + _options.LeaseTimeout));

    public Task<bool> Shrink(string sessionId, long bytes) =>
        Task.FromResult(_leases.TryGet(sessionId, out var held) && bytes > 0 && bytes < held.Bytes && _leases.Resize(sessionId, bytes));

    public Task Release(string sessionId)
    {
        if (_leases.Release(sessionId)) LogReleased(sessionId);
        return Task.CompletedTask;
    }

    public async Task<MemoryBudgetSnapshot> GetSnapshot()
    {
        Sweep();
        return Snapshot(await resources.ReadAsync());
    }

    public async Task<MemoryBudgetState> GetState()
    {
        var sample = await resources.ReadAsync();
        Sweep();
        var leases = _leases.Entries()
            .Select(l => new BudgetLease(l.SessionId, l.Lease.Bytes, l.Lease.ExpiresAt))
            .OrderBy(l => l.ExpiresAt)
            .ToList();
        return new MemoryBudgetState(Snapshot(sample), leases);
    }

    private MemoryBudgetSnapshot Snapshot(NodeResourceSample sample)
    {
        var figures = Figures(sample);
        var pool = bufferPool.Statistics;
        var snapshot = new MemoryBudgetSnapshot(
            this.GetPrimaryKeyString(), silo.Name, figures.TotalBytes, figures.AvailableBytes, figures.ReserveBytes,
            figures.CeilingBytes, figures.LeasedBytes, figures.HeadroomBytes, _leases.Count,
            pool.BuffersInUse, pool.BytesInUse, pool.Capacity, clock.GetUtcNow(), httpAddress.Url, pool.Waiting, drain.IsDraining);
        reading.Publish(snapshot);
        return snapshot;
    }

    private BudgetArithmetic Figures(NodeResourceSample sample) =>
        BudgetArithmetic.Of(sample.Memory, _options.ReserveBytes, _options.UsageCeilingPercent, _leases.LeasedBytes);

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        Sweep();
        Snapshot(await resources.ReadAsync());
    }

    private void Sweep()
    {
        foreach (var sessionId in _leases.Expire(clock.GetUtcNow()))
            LogExpired(sessionId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory budget {NodeId} active on silo {NodeName}")]
    private partial void LogActivated(string nodeId, string nodeName);

    /// <summary>Debug: the session logs its start once, at Information, with the lease and the headroom left.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Lease granted to upload {UploadId}: {Bytes} bytes, headroom left {Headroom}")]
    private partial void LogGranted(string uploadId, long bytes, long headroom);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease refused to upload {UploadId}: needs {Bytes} bytes, headroom {Headroom}")]
    private partial void LogRefused(string uploadId, long bytes, long headroom);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Lease of upload {UploadId} released")]
    private partial void LogReleased(string uploadId);

    /// <summary>Information: an idle upload's lease ends this way every time its client pauses (its session parks).</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Lease of upload {UploadId} expired without renewal; its session parks or has gone")]
    private partial void LogExpired(string uploadId);
}
