using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sampling;
using DirectDriveX.Node.Draining;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Budget;

/// <summary>
/// This silo's memory budget: its leases (<see cref="LeaseBook"/>) and the admission over them, one per silo (a singleton
/// of its services). Its own sessions take and give back their leases here, in process, with no grain call (issue 19,
/// eleventh round: two of the nine calls of a small upload); <see cref="MemoryBudgetGrain"/> is its face to other silos and
/// the gateways (snapshots, leases of a session on another node, an operator's view), over the same book. A grant is decided
/// and taken under one lock, so concurrent reservations, from either side, never overcommit. The host's figures come from
/// <see cref="NodeResources"/>' sample: one the sample would refuse is decided again on a sample read then, so a refusal is
/// never the product of a stale figure.
/// </summary>
public sealed partial class NodeBudget(
    NodeResources resources,
    LeaseBook leases,
    NodeDrain drain,
    ILocalSiloDetails silo,
    TimeProvider clock,
    IOptions<MemoryBudgetOptions> options,
    ILogger<NodeBudget> logger)
{
    private readonly MemoryBudgetOptions _options = options.Value;
    private readonly Lock _gate = new();

    /// <summary>This silo's budget id (<see cref="MemoryBudgetKey.For"/>).</summary>
    public string NodeId { get; } = MemoryBudgetKey.For(silo.SiloAddress);

    /// <summary>Grants a lease of <paramref name="bytes"/> to <paramref name="sessionId"/>, or refuses with figures. A session
    /// that holds a lease already gets it back, renewed (idempotent).</summary>
    public async Task<LeaseGrant> TryReserveAsync(string sessionId, long bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var decided = Decide(sessionId, bytes, await resources.ReadAsync(), final: false);
        return decided ?? Decide(sessionId, bytes, await resources.ReadAsync(fresh: true), final: true)!;
    }

    /// <summary>Extends the session's lease by the lease timeout. False when the lease is gone (expired or released).</summary>
    public bool Renew(string sessionId) => leases.Renew(sessionId, clock.GetUtcNow() + _options.LeaseTimeout);

    /// <summary>Shrinks the session's lease to <paramref name="bytes"/>. False when the lease is gone, or the size is not less.</summary>
    public bool Shrink(string sessionId, long bytes)
    {
        lock (_gate) return leases.TryGet(sessionId, out var held) && bytes > 0 && bytes < held.Bytes && leases.Resize(sessionId, bytes);
    }

    /// <summary>Returns the session's lease to the budget. Idempotent.</summary>
    public void Release(string sessionId)
    {
        if (leases.Release(sessionId)) LogReleased(sessionId);
    }

    /// <summary>Drops the leases not renewed within the lease timeout (a crashed or silent session keeps no budget).</summary>
    public void Sweep()
    {
        foreach (var sessionId in leases.Expire(clock.GetUtcNow()))
            LogExpired(sessionId);
    }

    /// <summary>The admission arithmetic over <paramref name="sample"/> and the leases held now.</summary>
    public BudgetArithmetic FiguresOf(NodeResourceSample sample) =>
        BudgetArithmetic.Of(sample.Memory, _options.ReserveBytes, _options.UsageCeilingPercent, leases.LeasedBytes);

    /// <summary>The answer on <paramref name="sample"/>, taken under the lock; null when the sample would refuse and is not
    /// <paramref name="final"/> (the caller reads a fresh one and asks again).</summary>
    private LeaseGrant? Decide(string sessionId, long bytes, NodeResourceSample sample, bool final)
    {
        lock (_gate)
        {
            Sweep();
            var figures = FiguresOf(sample);
            var expiresAt = clock.GetUtcNow() + _options.LeaseTimeout;
            if (leases.TryGet(sessionId, out var held))
            {
                leases.Renew(sessionId, expiresAt);
                return new LeaseGrant(true, held.Bytes, expiresAt, null, figures.HeadroomBytes);
            }
            if (drain.IsDraining)
            {
                // A leaving node takes no new lease; InsufficientHeadroom sends a create on to the next node.
                return LeaseGrant.Refused(new UploadRefusal(RefusalReason.InsufficientHeadroom,
                    $"Node {silo.Name} is shutting down and takes no new upload; retry on another node."));
            }
            if (figures.Admits(bytes))
            {
                leases.Grant(sessionId, bytes, expiresAt);
                LogGranted(sessionId, bytes, figures.HeadroomBytes - bytes);
                return new LeaseGrant(true, bytes, expiresAt, null, figures.HeadroomBytes - bytes);
            }
            if (!final) return null;
            LogRefused(sessionId, bytes, figures.HeadroomBytes);
            return LeaseGrant.Refused(new UploadRefusal(
                RefusalReason.InsufficientHeadroom,
                $"Node {silo.Name} has {figures.HeadroomBytes} bytes of headroom; the upload needs {bytes}. Retry later or on another node.",
                Figures: new BudgetFigures(NodeId, bytes, figures.HeadroomBytes, figures.AvailableBytes,
                    figures.ReserveBytes, figures.CeilingBytes, figures.LeasedBytes)));
        }
    }

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
