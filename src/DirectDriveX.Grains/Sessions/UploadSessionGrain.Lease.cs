using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Budget;

namespace DirectDriveX.Grains.Sessions;

/// <summary>The lease while the session lives: renewed or taken again on the node it is active on, given back when it parks
/// (idle past its lease timeout, <see cref="IdlePolicy"/>) and taken again when it resumes; expiry past its deadline.</summary>
public sealed partial class UploadSessionGrain
{
    /// <summary>A writer at work (a commit, a completion, a check-in) holds the lease here: a parked session resumes
    /// (<see cref="ResumeAsync"/>), a live one renews or takes it again (<see cref="EnsureLeaseAsync"/>). The refusal, or null.</summary>
    private Task<UploadRefusal?> HoldLeaseAsync() => S.State == UploadState.Parked ? ResumeAsync() : EnsureLeaseAsync();

    /// <summary>Renews the lease on this silo. A lease held on another silo (the session was reactivated here after its
    /// node died, or moved) is released there where that silo still lives, and the session reserves again here before it
    /// takes another byte.</summary>
    private async Task<UploadRefusal?> EnsureLeaseAsync()
    {
        if (S.NodeId == ThisNodeId && budget.Renew(UploadId)) return null;
        if (S.NodeId != ThisNodeId) await ReleaseLeaseAsync(S.NodeId);
        var grant = await budget.TryReserveAsync(UploadId, S.ReservedBytes);
        if (!grant.Granted) return grant.Refusal;
        state.State = S with { NodeId = ThisNodeId, NodeName = silo.Name };
        await WriteFencedStateAsync();
        return null;
    }

    /// <summary>Resumes a parked session on this silo: counted live against its client again (<see cref="RefusalReason.TooManyUploads"/>
    /// while the client is at its limit), and its tier reserved on this silo's budget. Refused for headroom, the session gives the
    /// slot back and moves (Orleans' migration) to the node with the most headroom when another has room for it, so that the
    /// client's retry resumes it there; both refusals are retryable, and the committed bytes stay.</summary>
    private async Task<UploadRefusal?> ResumeAsync()
    {
        if (S.ClientId is { } clientId && S.ClientLimits is { } limits
            && await ClientGrain(clientId).TryResume(UploadId, limits) is { } overLimit)
            return overLimit with { ExpectedOffset = S.CommittedOffset };
        var grant = await budget.TryReserveAsync(UploadId, S.ReservedBytes);
        if (!grant.Granted)
        {
            await ParkClientAsync(S.ClientId);
            var roomier = await RoomierNodeAsync(S.ReservedBytes);
            if (roomier is not null)
            {
                // Moved once this call ends: the client's retry (routed to wherever the session is then) resumes it there.
                RequestContext.Set(Orleans.Runtime.Placement.IPlacementDirector.PlacementHintKey, roomier.Value.Silo);
                this.MigrateOnIdle();
                UploadPlacementHint.Clear();
            }
            return grant.Refusal! with
            {
                Message = $"Upload {UploadId} is parked with {S.CommittedOffset} committed bytes, kept until it resumes: {grant.Refusal.Message}"
                    + (roomier is { } node ? $" It moves to node {node.Name}, which has room: retry." : ""),
                ExpectedOffset = S.CommittedOffset,
            };
        }
        state.State = S with { State = UploadState.Receiving, NodeId = ThisNodeId, NodeName = silo.Name, LastActivityAt = clock.GetUtcNow() };
        await WriteFencedStateAsync();
        LogResumed(UploadId, silo.Name, S.CommittedOffset, grant.Bytes);
        return null;
    }

    /// <summary>Another active node whose budget has <paramref name="bytes"/> of headroom now, the most of them; null when none
    /// has (or none answers in time).</summary>
    private async Task<(SiloAddress Silo, string Name)?> RoomierNodeAsync(long bytes)
    {
        try
        {
            var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(NodeQueryTimeout);
            var others = hosts.Keys.Where(s => !s.Equals(silo.SiloAddress)).ToList();
            var snapshots = await Task.WhenAll(others.Select(async s =>
            {
                try { return await GrainFactory.BudgetOf(s).GetSnapshot().WaitAsync(NodeQueryTimeout); }
                catch (Exception e) when (e is OrleansException or TimeoutException) { return null; }
            }));
            var best = snapshots.OfType<MemoryBudgetSnapshot>().Where(n => n.HeadroomBytes >= bytes).MaxBy(n => n.HeadroomBytes);
            return best is null ? null : (MemoryBudgetKey.ToSilo(best.NodeId), best.NodeName);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return null;
        }
    }

    private static readonly TimeSpan NodeQueryTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Idle past the lease timeout with committed bytes: the lease and the client's live slot go back; the bytes, the
    /// fencing epoch and the staging stay, and the state says Parked (no lease held, <see cref="UploadSessionState.NodeId"/> empty).</summary>
    private async Task ParkAsync()
    {
        var leaseNode = S.NodeId;
        await RewriteStalePagesAsync(_uploads.ResumeWindow); // the pages outlive the resume window as the record does
        state.State = S with { State = UploadState.Parked, NodeId = "" };
        await WriteFencedStateAsync();
        await ReleaseLeaseAsync(leaseNode);
        await ParkClientAsync(S.ClientId);
        LogParked(UploadId, silo.Name, S.CommittedOffset, S.LastActivityAt + _uploads.ResumeWindow);
    }

    /// <summary>A session touched after its deadline has passed (a parked session outlives its activation's timer: it may be
    /// asked again only hours later) expires before it answers.</summary>
    private async Task ExpireIfOverdueAsync()
    {
        if (Exists && NextIdleStep() == IdlePolicy.Step.Expire) await ExpireAsync();
    }

    private IdlePolicy.Step NextIdleStep() => IdlePolicy.Next(S.State, clock.GetUtcNow() - S.LastActivityAt,
        _uploads.FirstByteTimeout, _budget.LeaseTimeout, _uploads.ResumeWindow);

    private async Task ExpireAsync()
    {
        var expired = IdlePolicy.Expired(UploadId, S.CommittedOffset, _uploads.ResumeWindow);
        await FinishAsync(S with { State = UploadState.Expired, Failure = expired }, deleteStaging: true);
        LogExpired(UploadId, silo.Name, S.CommittedOffset);
    }

    private void StartExpiryTimer() =>
        _expiryTimer ??= this.RegisterGrainTimer(ExpireIfIdleAsync, _budget.SweepInterval, _budget.SweepInterval);

    private async Task ExpireIfIdleAsync(CancellationToken cancellationToken)
    {
        switch (NextIdleStep())
        {
            case IdlePolicy.Step.Park:
                await ParkAsync();
                break;
            case IdlePolicy.Step.Expire:
                await ExpireAsync();
                break;
        }
    }
}
