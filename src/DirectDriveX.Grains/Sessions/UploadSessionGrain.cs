using DirectDriveX.Storage;
using System.Security.Cryptography;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Node.Buffers;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using DirectDriveX.Grains.Placement;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using DirectDriveX.Node.Uploads;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// One upload's control plane. It reserves its tier on the budget of the silo it lives on before it accepts a byte, records
/// the offsets its node's data plane has durably written (strictly in order, only from the data plane of its own silo),
/// verifies length and SHA-256 at completion, and releases its lease on every way out: completion, abort, idle expiry,
/// failure. An upload idle past its lease timeout with committed bytes is parked (<see cref="IdlePolicy"/>): its lease and its
/// client's live slot go back, its bytes stay, and a writer that resumes it within the resume window reserves its tier again on
/// the node the session is active on then. No byte of the upload passes through it.
/// <para>Its parts: the start (<c>UploadSessionGrain.Start.cs</c>), the commit path (<c>.CommitAndComplete.cs</c>), the lease,
/// parking and expiry (<c>.Lease.cs</c>), every way out (<c>.Ending.cs</c>); its rules are pure and tested on their own
/// (<see cref="UploadRequestValidation"/>, <see cref="CommitRules"/>, <see cref="IdlePolicy"/>).</para>
/// </summary>
[GrainType(GrainTypeNames.UploadSession)]
[UploadSessionPlacement]
public sealed partial class UploadSessionGrain(
    [PersistentState(UploadSessionGrain.StateName, NewUploadStorage.Name)] IPersistentState<UploadSessionState> state,
    IUploadStore store,
    ILocalSiloDetails silo,
    TimeProvider clock,
    UploadMetrics metrics,
    IOptions<UploadOptions> uploadOptions,
    IOptions<MemoryBudgetOptions> budgetOptions,
    NodeBudget budget,
    ILogger<UploadSessionGrain> logger) : Grain, IUploadSessionGrain, IIncomingGrainCallFilter
{
    /// <summary>The grain storage of sessions' records: the default storage unless a host registers one of its own (Redis
    /// does, to let records expire <see cref="UploadOptions.SessionRecordLifetime"/> after their last change). A session's own
    /// record goes through <see cref="NewUploadStorage"/> in front of it.</summary>
    public const string StorageName = "uploads";

    /// <summary>The name of a session's grain state (a file store's records are kept by state name).</summary>
    public const string StateName = "upload";

    private readonly UploadOptions _uploads = uploadOptions.Value;

    private readonly MemoryBudgetOptions _budget = budgetOptions.Value;

    private IGrainTimer? _expiryTimer;

    /// <summary>The fencing epoch this activation's node writes under, once taken (<see cref="BeginWriting"/>).</summary>
    private int? _epoch;

    /// <summary>Started for a request that carries its bytes (<see cref="UploadRequest.BodyFollows"/>) and not written yet: the
    /// first state write (a commit's, the completion's) records it, and a call that answers about the upload writes it first.</summary>
    private bool _startUnwritten;

    /// <summary>A completed upload whose record is its stored file's (<see cref="CompletedSession"/>): found in the store by a call
    /// (<see cref="FindInStoreAsync"/>), or completed by this activation without a record of its own.</summary>
    private bool _foundInStore;

    /// <summary>Whether the store was asked for this session's file (at most once per activation).</summary>
    private bool _storeAsked;

    /// <summary>Whether the session exists: recorded, started here and to be recorded with its first commit, or completed and
    /// recorded by the store.</summary>
    private bool Exists => state.RecordExists || _startUnwritten || _foundInStore;

    private string UploadId => this.GetPrimaryKeyString();

    private UploadSessionState S => state.State;

    private IStoreSpaceGrain StoreSpace => GrainFactory.ReferenceTo<IStoreSpaceGrain>(0);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Nothing is cut or checked here: bytes past the committed offset lie in an epoch's own staging file and are never
        // read, and a writer of an earlier activation may still be writing its file, which this activation never uses.
        if (state.RecordExists && !S.State.IsFinal())
        {
            StartExpiryTimer();
            metrics.SessionOpened(); // a live session now held by this activation
        }
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_releasingBehind is { } releasing) await releasing; // a one-request upload's releases behind its answer
        if (!Exists || S.State.IsFinal()) return;
        metrics.SessionClosed(); // it lives on in storage, not here
        // Deactivated before its first commit (the silo is stopping): recorded now, so that the client's request, which may
        // still go on elsewhere, finds it.
        if (_startUnwritten) await WriteFencedStateAsync();
    }

    /// <summary>Before every call but a start, a session with no record of its own is looked for in the store
    /// (<see cref="CompletedSession"/>): a one-request upload, once completed, keeps none. A start is not: a new upload's id is
    /// new, and a start must cost no store read.</summary>
    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (!Exists && !_storeAsked && context.InterfaceMethod?.DeclaringType == typeof(IUploadSessionGrain)
            && context.InterfaceMethod.Name != nameof(IUploadSessionGrain.Start))
            await FindInStoreAsync();
        await context.Invoke();
    }

    /// <summary>Takes the session its stored file's record answers for, if any (<see cref="CompletedSession.Of"/>). A store that
    /// cannot be read now leaves the session unknown for this call; the next one asks again.</summary>
    private async Task FindInStoreAsync()
    {
        if (!UploadIds.IsWellFormed(UploadId)) return;
        StoredFileRecord? record;
        try
        {
            record = await store.ReadRecordAsync(UploadId);
        }
        catch (IOException e)
        {
            LogStoreRecordUnreadable(UploadId, e.Message);
            return;
        }
        _storeAsked = true;
        if (record is null || CompletedSession.Of(record, clock.GetUtcNow(), _uploads.SessionRecordLifetime) is not { } completed) return;
        state.State = completed;
        _foundInStore = true;
    }

    public async Task<UploadOpening> Open(string? resumeToken, bool requireToken)
    {
        UploadPlacementHint.Clear();
        if (!Exists)
        {
            // An unknown upload keeps no activation: one left on this node would take a later Start meant for another (a tus
            // final upload's session starts under an id its URL carries, which requests may ask about first).
            DeactivateOnIdle();
            return new UploadOpening(null, Refusal(RefusalReason.NotFound, $"No upload {UploadId}."));
        }
        if (requireToken && (string.IsNullOrEmpty(resumeToken) || !CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(resumeToken)), S.ResumeTokenHash)))
            return new UploadOpening(null, Refusal(RefusalReason.Unauthorized, $"The resume token does not match upload {UploadId}."));
        await ExpireIfOverdueAsync();
        await RecordStartAsync();
        GoWhenEnded();
        return new UploadOpening(Status(), null);
    }

    public Task<bool> HasEnded()
    {
        GoWhenEnded();
        return Task.FromResult(!Exists || S.State.IsFinal() || S.State == UploadState.Parked);
    }

    public async Task<UploadStatus> GetState()
    {
        UploadPlacementHint.Clear(); // the gateway's hint placed this activation (a parked session's, on the roomiest node)
        if (!Exists)
        {
            DeactivateOnIdle(); // as in Open
            return new UploadStatus(UploadId, UploadState.Created, 0, 0, 0, 0, null, null, null, null,
                Refusal(RefusalReason.NotFound, $"No upload {UploadId}."), null, ActiveNodeId: ThisNodeId);
        }
        await ExpireIfOverdueAsync();
        await RecordStartAsync();
        GoWhenEnded();
        return Status();
    }

    /// <summary>An ended session is its record: an activation that answered about it (a status call, a resume refused, a
    /// client's or the store's recheck) goes once the call has answered, rather than after Orleans' collection age, as the
    /// activation that ended it does (<see cref="FinishAsync"/>).</summary>
    private void GoWhenEnded()
    {
        if (S.State.IsFinal()) DeactivateOnIdle();
    }

    /// <summary>Writes a start not written yet (<see cref="UploadRequest.BodyFollows"/>) before a call answers about the upload:
    /// whoever learns of it (a status call, an open, a 201 that names it) finds it in storage afterwards, and the client's
    /// count of it durable (<see cref="_admissionConfirmed"/>).</summary>
    private async Task RecordStartAsync()
    {
        await _admissionConfirmed;
        if (_startUnwritten && !S.State.IsFinal()) await WriteFencedStateAsync();
    }

    private UploadStatus Status() => new(UploadId, S.State, S.CommittedOffset, S.Size, S.ReservedBytes, S.ChunkSize, S.NodeId,
        S.FileName, S.ContentType, S.File?.FileId, S.Failure, S.LastActivityAt, S.NodeName, ThisNodeId, S.MaxChunksInFlight,
        S.TusMetadata, S.TusConcat, S.LengthDeferred, S.PlanSize);

    /// <summary>Writes the state; a write refused because another activation wrote since this one read (two activations of
    /// one session while a silo shuts down) deactivates this one, so that it never acts on its stale state again.</summary>
    private async Task WriteFencedStateAsync()
    {
        try
        {
            await state.WriteStateAsync();
            _startUnwritten = false;
        }
        catch (InconsistentStateException)
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>The node this activation runs on: the one whose data plane may write this upload's bytes.</summary>
    private string ThisNodeId => budget.NodeId;

    /// <summary>The refusal for a call that needs a live session, or null when the session is live.</summary>
    private UploadRefusal? StateRefusal()
    {
        if (!Exists) return Refusal(RefusalReason.NotFound, $"No upload {UploadId}.");
        return FinishedUploadRefusal.For(UploadId, S.State, S.Failure);
    }

    private IUploadClientGrain ClientGrain(string clientId) => GrainFactory.ReferenceTo<IUploadClientGrain>(clientId);

    private static UploadRefusal Refusal(RefusalReason reason, string message) => new(reason, message);
}
