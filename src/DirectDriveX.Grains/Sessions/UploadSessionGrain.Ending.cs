using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Storage;
using Orleans.Storage;

namespace DirectDriveX.Grains.Sessions;

/// <summary>Every way out (completed, aborted, failed, expired): the final state written first, then the staging, the lease, the store
/// space and the client's count given back.</summary>
public sealed partial class UploadSessionGrain
{
    public async Task Abort()
    {
        if (!Exists || S.State.IsFinal()) return;
        await FinishAsync(S with { State = UploadState.Aborted }, deleteStaging: true);
        LogAborted(UploadId, silo.Name, S.CommittedOffset);
    }

    private Task FailAsync(UploadRefusal failure)
    {
        LogFailed(UploadId, silo.Name, failure.Reason, failure.Message);
        return FinishAsync(S with { State = UploadState.Failed, Failure = failure }, deleteStaging: true);
    }

    /// <summary>Every way out goes through here: the final state is written, staging removed if asked, and the lease released.
    /// The state is written first, but for a one-request upload's completion, whose record is the store's
    /// (<see cref="CompletedSession.RecordedByStore"/>): an activation whose write is refused because another one holds the
    /// session (two activations while a silo shuts down) deletes and releases nothing of that session's. What follows the write
    /// is independent (the staging, the lease, the store space, the client's count: four stores or grains) and runs at once, so
    /// the caller (a completion's answer) waits for the slowest of them, not for four in a row (issue 19); each is done before
    /// it returns, but for a one-request upload's completion, which waits only for its client's count (<see cref="_releasingBehind"/>).</summary>
    private async Task FinishAsync(UploadSessionState final, bool deleteStaging)
    {
        await _admissionConfirmed; // a one-request upload's count is durable before its end is told, and before it is released
        _expiryTimer?.Dispose();
        _expiryTimer = null;
        var pages = S.Pages;
        var parts = deleteStaging ? await PartsForDeletingAsync() : S.Parts;
        final = final with { Pages = [] }; // the pages' records are deleted below
        state.State = final with { LastActivityAt = clock.GetUtcNow() };
        var recordedByStore = CompletedSession.RecordedByStore(final, _startUnwritten);
        var superseded = false;
        var written = false;
        try
        {
            if (recordedByStore)
            {
                // Nothing to write: the store's record, published before this, answers for the session from now on.
                _startUnwritten = false;
                _foundInStore = true;
            }
            else await WriteFencedStateAsync();
            written = true;
        }
        catch (InconsistentStateException)
        {
            superseded = true;
            throw;
        }
        finally
        {
            if (!superseded)
            {
                var releasing = Task.WhenAll(
                    deleteStaging && written ? DeleteStagingAsync(final, parts, oneWriter: recordedByStore) : Task.CompletedTask,
                    written ? ClearPagesAsync(pages) : Task.CompletedTask,
                    ReleaseLeaseAsync(final.NodeId),
                    StoreSpace.Release(UploadId));
                var releasingClient = ReleaseClientAsync(final.ClientId, final.State == UploadState.Completed ? final.Size : final.CommittedOffset);
                if (recordedByStore)
                {
                    // A one-request upload's 201 waits for its client's slot to be free (the client's next upload must find
                    // it so), not for the rest: what this node holds for it is given back behind the answer, before the
                    // activation goes (OnDeactivateAsync).
                    _releasingBehind = ReleaseBehindAsync(releasing);
                    await releasingClient;
                }
                else await Task.WhenAll(releasing, releasingClient);
                metrics.SessionClosed();
                if (final.State == UploadState.Completed) metrics.UploadCompleted();
                else metrics.UploadFailed(final.Failure?.Reason ?? (final.State == UploadState.Aborted ? RefusalReason.Aborted : RefusalReason.Expired));
                // An ended session is its record now: its activation goes once this call has answered, rather than after
                // Orleans' collection age, so a node that stores many small files does not hold every one's session in memory
                // for minutes. A later call reads the record (the session's, or the store's).
                DeactivateOnIdle();
            }
        }
    }

    /// <summary>What a one-request upload's completion gives back behind its answer (<see cref="FinishAsync"/>): its staging,
    /// its lease and its store space; awaited before the activation goes.</summary>
    private Task? _releasingBehind;

    private async Task ReleaseBehindAsync(Task releasing)
    {
        try
        {
            await releasing;
        }
        catch (Exception e)
        {
            // What a failed release left: the lease times out, the staging sweep removes the bytes, and a store-space
            // promise left over is forgotten when the store would refuse an upload for it (StoreSpaceGrain asks this session).
            LogReleaseBehindFailed(UploadId, e.Message);
        }
    }

    /// <summary>Deletes what the session staged and did not publish. A store that fails now leaves remnants for the staging
    /// sweep; the session has ended either way.
    /// <paramref name="oneWriter"/>: a one-request upload's session, never recorded (<see cref="CompletedSession.RecordedByStore"/>),
    /// had no writer but the request that started it: no other was let in without a state write first.</summary>
    private async Task DeleteStagingAsync(UploadSessionState final, StagedPart[] parts, bool oneWriter)
    {
        try
        {
            await store.DeleteStagingAsync(new StagingRemains(UploadId, final.WriterEpoch, parts, final.StoreUploadId, oneWriter),
                published: final.State == UploadState.Completed, CancellationToken.None);
        }
        catch (IOException e)
        {
            LogStagingLeft(UploadId, e.Message);
        }
    }

    /// <summary>Every part, to delete what the store staged; the tail alone when the pages cannot be read (their remnants are
    /// then left to the staging sweep).</summary>
    private async Task<StagedPart[]> PartsForDeletingAsync()
    {
        try
        {
            return await AllPartsAsync();
        }
        catch (Exception e) when (e is not InconsistentStateException)
        {
            LogStagingLeft(UploadId, e.Message);
            return S.Parts;
        }
    }

    /// <summary>Releases this session's lease on <paramref name="nodeId"/>: in process on this silo, else through that node's
    /// budget grain; a node that has left the cluster took its leases with it, so failing to reach it is not an error.</summary>
    private async Task ReleaseLeaseAsync(string nodeId)
    {
        if (string.IsNullOrEmpty(nodeId)) return;
        if (nodeId == ThisNodeId)
        {
            budget.Release(UploadId);
            return;
        }
        try
        {
            await GrainFactory.BudgetOf(MemoryBudgetKey.ToSilo(nodeId)).Release(UploadId);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            LogLeaseNodeGone(UploadId, nodeId, e.Message);
        }
    }

    /// <summary>Ends this session's count on its client's grain. Should that grain be unreachable, the client's count is put
    /// right when it next reaches its limit (the grain asks its older sessions where they stand), so this is not an error.</summary>
    private async Task ReleaseClientAsync(string? clientId, long receivedBytes)
    {
        if (clientId is null) return;
        try
        {
            await ClientGrain(clientId).Release(UploadId, receivedBytes);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            LogClientReleaseFailed(UploadId, clientId, e.Message);
        }
    }

    /// <summary>Frees this session's live slot on its client's grain while it is parked; like a release, a call that does not
    /// arrive is put right by the client's grain at its limit (it asks <see cref="HasEnded"/>, true for a parked session).</summary>
    private async Task ParkClientAsync(string? clientId)
    {
        if (clientId is null) return;
        try
        {
            await ClientGrain(clientId).Park(UploadId);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            LogClientReleaseFailed(UploadId, clientId, e.Message);
        }
    }
}
