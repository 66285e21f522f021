using DirectDriveX.Storage;
using System.Security.Cryptography;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Buffers;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using DirectDriveX.Grains.Placement;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// One upload's control plane. It reserves its tier on the budget of the silo it lives on before it accepts a byte, records
/// the offsets its node's data plane has durably written (strictly in order, only from the data plane of its own silo),
/// verifies length and SHA-256 at completion, and releases its lease on every way out: completion, abort, idle expiry,
/// failure. An upload idle past its lease timeout with committed bytes is parked (<see cref="IdlePolicy"/>): its lease and its
/// client's live slot go back, its bytes stay, and a writer that resumes it within the resume window reserves its tier again on
/// the node the session is active on then. No byte of the upload passes through it.
/// </summary>
[UploadSessionPlacement]
public sealed partial class UploadSessionGrain(
    [PersistentState(UploadSessionGrain.StateName, UploadSessionGrain.StorageName)] IPersistentState<UploadSessionState> state,
    IUploadStore store,
    ChunkBufferPool pool,
    ILocalSiloDetails silo,
    TimeProvider clock,
    UploadMetrics metrics,
    IOptions<UploadOptions> uploadOptions,
    IOptions<MemoryBudgetOptions> budgetOptions,
    ILogger<UploadSessionGrain> logger) : Grain, IUploadSessionGrain
{
    /// <summary>The grain storage of sessions' records: the default storage unless a host registers one of its own (Redis
    /// does, to let records expire <see cref="UploadOptions.SessionRecordLifetime"/> after their last change).</summary>
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

    /// <summary>Whether the session exists: recorded, or started here and to be recorded with its first commit.</summary>
    private bool Exists => state.RecordExists || _startUnwritten;

    private string UploadId => this.GetPrimaryKeyString();
    private UploadSessionState S => state.State;
    private IStoreSpaceGrain StoreSpace => GrainFactory.GetGrain<IStoreSpaceGrain>(0);

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

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!Exists || S.State.IsFinal()) return Task.CompletedTask;
        metrics.SessionClosed(); // it lives on in storage, not here
        // Deactivated before its first commit (the silo is stopping): recorded now, so that the client's request, which may
        // still go on elsewhere, finds it.
        return _startUnwritten ? WriteFencedStateAsync() : Task.CompletedTask;
    }

    public async Task<UploadStartResult> Start(UploadRequest request)
    {
        // The routing hint placed this activation; it must not steer the grains this session calls.
        UploadPlacementHint.Clear();
        if (Exists)
            return UploadStartResult.Refused(Refusal(RefusalReason.InvalidState, $"Upload {UploadId} has already been started."));
        if (!UploadIds.IsWellFormed(UploadId))
            return UploadStartResult.Refused(Refusal(RefusalReason.InvalidRequest, "uploadId: not a well-formed upload id."));
        if (request.HostNodeId is { } required && required != HostNodeId)
        {
            // Nothing recorded: the activation moves to the node named (a deactivation would not do: a caller's cached address
            // brings its next call back here, and this silo activates the grain again), where the caller's next start finds it.
            using (UploadPlacementHint.Target(MemoryBudgetKey.ToSilo(required))) MigrateOnIdle();
            return UploadStartResult.Refused(Refusal(RefusalReason.NodeUnavailable,
                $"Upload {UploadId} was activated on node {silo.Name}, not on the node that must write it; start it again."));
        }
        request = UploadRequestValidation.Normalize(request);
        if (UploadRequestValidation.Check(request, _uploads) is { } invalid)
            return UploadStartResult.Refused(invalid);

        var client = request.Client;
        // Without its length, an upload is planned, reserved and bounded as the largest file it may become (the top tier);
        // its length, once declared, brings the reservation down and is checked then (DeclareLength).
        var bound = request.DeferLength ? Math.Min(_uploads.MaxFileSizeBytes, client?.Limits.MaxFileBytes ?? long.MaxValue) : request.Size;
        var plan = Plan(bound);
        var nodeId = HostNodeId;
        // The client's count first, so that a client over its limits costs the cluster no promise and no lease.
        if (client is not null && await ClientGrain(client.ClientId).TryAdmit(UploadId, request.Size, client.Limits) is { } overLimit)
        {
            DeactivateOnIdle();
            return UploadStartResult.Refused(overLimit);
        }
        // An empty file takes no store space and no memory (ChunkPlan: nothing reserved): it is stored right here. An upload
        // without its length is promised its space when it declares it.
        if (request.Size > 0 && await StoreSpace.TryPromise(UploadId, request.Size) is { } noSpace)
        {
            await ReleaseClientAsync(client?.ClientId, 0);
            DeactivateOnIdle();
            return UploadStartResult.Refused(noSpace);
        }
        var grant = plan.ReservedBytes == 0
            ? new LeaseGrant(true, 0, default, null)
            : await GrainFactory.BudgetOf(silo.SiloAddress).TryReserve(UploadId, plan.ReservedBytes);
        if (!grant.Granted)
        {
            await StoreSpace.Release(UploadId);
            await ReleaseClientAsync(client?.ClientId, 0);
            DeactivateOnIdle();
            return UploadStartResult.Refused(grant.Refusal!);
        }

        var token = UploadIds.NewResumeToken();
        var now = clock.GetUtcNow();
        state.State = new UploadSessionState
        {
            State = UploadState.Reserved,
            FileName = request.FileName,
            Size = bound,
            LengthDeferred = request.DeferLength,
            PlanSize = request.DeferLength ? bound : null,
            ContentType = string.IsNullOrWhiteSpace(request.ContentType) ? "application/octet-stream" : request.ContentType,
            ExpectedSha256 = request.Sha256?.ToLowerInvariant(),
            ResumeTokenHash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)),
            NodeId = nodeId,
            NodeName = silo.Name,
            ReservedBytes = grant.Bytes,
            ChunkSize = plan.ChunkSize,
            MaxChunksInFlight = plan.MaxChunksInFlight,
            CreatedAt = now,
            LastActivityAt = now,
            ClientId = client?.ClientId,
            ClientLimits = client?.Limits,
            TusMetadata = request.TusMetadata,
            TusConcat = request.TusConcat,
            WriterEpoch = 1, // this activation's: its node writes the first bytes without another state write
        };
        try
        {
            // A request that carries the bytes is answered only after a commit or the completion, each a state write that
            // records the start with it: one write per upload fewer (issue 19).
            if (request.BodyFollows && bound > 0) _startUnwritten = true;
            else await state.WriteStateAsync();
        }
        catch
        {
            await GrainFactory.BudgetOf(silo.SiloAddress).Release(UploadId);
            await StoreSpace.Release(UploadId);
            await ReleaseClientAsync(client?.ClientId, 0);
            throw;
        }
        _epoch = S.WriterEpoch;
        StartExpiryTimer();
        metrics.UploadStarted();
        metrics.SessionOpened();
        LogStarted(UploadId, silo.Name, bound, grant.Bytes, grant.HeadroomLeftBytes, plan.ChunkSize, client?.ClientId ?? "-");
        var info = new UploadSessionInfo(UploadId, token, nodeId, silo.Name, bound, grant.Bytes, plan.ChunkSize, plan.MaxChunksInFlight, S.FileName);
        if (bound > 0) return new UploadStartResult(info, null, Status: Status());

        // Nothing to wait for: every protocol's client of an empty file (tus-js-client among them) takes it as complete once
        // created, so it is stored now, with the SHA-256 of no bytes.
        var empty = await StoreAsync(S.WriterEpoch, UploadRequestValidation.EmptySha256, assemble: true);
        return empty.Completed ? new UploadStartResult(info, null, empty) : UploadStartResult.Refused(empty.Refusal!);
    }

    public async Task<UploadRefusal?> DeclareLength(long length)
    {
        if (StateRefusal() is { } closed) return closed;
        if (!S.LengthDeferred)
            return length == S.Size ? null : Refusal(RefusalReason.InvalidRequest, $"Upload-Length: the upload's length is {S.Size} bytes already; it cannot change.");
        if (length < S.CommittedOffset)
            return new UploadRefusal(RefusalReason.InvalidRequest,
                $"Upload-Length: {length} bytes is less than the {S.CommittedOffset} bytes already received.", ExpectedOffset: S.CommittedOffset);
        if (length > S.Size)
            return Refusal(RefusalReason.FileTooLarge, $"Upload-Length: {length} bytes is over the maximum of {S.Size} bytes.");
        if (S.ClientId is { } clientId && S.ClientLimits is { } limits && await ClientGrain(clientId).TryDeclare(UploadId, length, limits) is { } overLimit)
            return overLimit;
        if (await StoreSpace.TryPromise(UploadId, length) is { } noSpace) return noSpace;

        // Re-tiered: the chunk stays (the store's parts and the writer are cut by it), the lease comes down to the length's tier.
        var plan = ChunkPlan.Retier(new ChunkPlan(S.ChunkSize, S.ReservedBytes, S.MaxChunksInFlight), length);
        if (plan.ReservedBytes < S.ReservedBytes && S.NodeId == HostNodeId) await GrainFactory.BudgetOf(silo.SiloAddress).Shrink(UploadId, plan.ReservedBytes);
        var reserved = S.ReservedBytes;
        state.State = S with { Size = length, LengthDeferred = false, ReservedBytes = plan.ReservedBytes, MaxChunksInFlight = plan.MaxChunksInFlight };
        await WriteFencedStateAsync();
        LogDeclared(UploadId, silo.Name, length, reserved, plan.ReservedBytes);
        return null;
    }

    /// <summary>The terms of a session of <paramref name="size"/> bytes on this node.</summary>
    private ChunkPlan Plan(long size) => ChunkPlan.For(size, _uploads.MinChunkBytes, Math.Min(_uploads.MaxChunkBytes, pool.LargestBufferSize));

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
        return new UploadOpening(Status(), null);
    }

    public async Task<WritingGrant> BeginWriting(string writerNodeId)
    {
        UploadPlacementHint.Clear();
        if (!Exists) return WritingGrant.Refused(Refusal(RefusalReason.NotFound, $"No upload {UploadId}."));
        await ExpireIfOverdueAsync();
        if (S.State.IsFinal()) return new WritingGrant(0, Status(), [], null);
        if (writerNodeId != HostNodeId)
            return WritingGrant.Refused(Refusal(RefusalReason.NodeUnavailable,
                $"Upload {UploadId} is served by another node now; reconnect through the gateway."));
        if (S.State == UploadState.Parked)
        {
            if (await ResumeAsync() is { } refused) return WritingGrant.Refused(refused);
        }
        else
        {
            // A client that connects is not idle: its deadline (first byte, or the lease timeout) runs again from now, so time
            // it spent refused for a resource this node lacked (a buffer, a reconnect after a move) never expires or parks it.
            state.State = S with { LastActivityAt = clock.GetUtcNow() };
            if (S.NodeId == HostNodeId) await GrainFactory.BudgetOf(silo.SiloAddress).Renew(UploadId); // else re-reserved at its first commit
        }
        if (_epoch is null)
        {
            state.State = S with { WriterEpoch = S.WriterEpoch + 1 };
            await WriteFencedStateAsync();
            _epoch = S.WriterEpoch;
        }
        return new WritingGrant(_epoch.Value, Status(), S.Parts, null, S.StoreUploadId);
    }

    public async Task<ChunkAck> Commit(int epoch, long offset, long length, string writerNodeId, StagedCommit staged)
    {
        await ExpireIfOverdueAsync();
        var committed = S.CommittedOffset;
        if (CommitRefusal(epoch, offset, length, writerNodeId, staged, out var parts) is { } refused) return ChunkAck.Refused(committed, refused);
        // A writer that stayed connected while the session parked resumes it with this commit.
        if (await (S.State == UploadState.Parked ? ResumeAsync() : EnsureLeaseAsync()) is { } noLease) return ChunkAck.Refused(committed, noLease);
        RecordCommit(epoch, offset, length, parts, staged);
        await WriteFencedStateAsync();
        return new ChunkAck(S.CommittedOffset, null);
    }

    /// <summary>Why a commit of epoch <paramref name="epoch"/> cannot be taken now, or null, with the parts that hold the
    /// committed bytes once it is.</summary>
    private UploadRefusal? CommitRefusal(int epoch, long offset, long length, string writerNodeId, StagedCommit staged, out StagedPart[] parts)
    {
        parts = [];
        if (StateRefusal() is { } closed) return closed;
        var committed = S.CommittedOffset;
        if (writerNodeId != HostNodeId)
            return Refusal(RefusalReason.NodeUnavailable, $"Upload {UploadId} is now served by node {silo.Name}; reconnect to continue from {committed}.");
        if (epoch != _epoch) return Superseded(committed);
        if (length <= 0) return Refusal(RefusalReason.InvalidRequest, "A commit must cover at least one byte.");
        if (offset < 0 || offset + length > S.Size)
            return S.LengthDeferred
                ? Refusal(RefusalReason.FileTooLarge, $"Bytes [{offset}, {offset + length}) run past {S.Size} bytes, the largest file this upload may become.")
                : PastDeclaredSize.Refusal(S.Size, offset, length);
        if (offset != committed)
            return new UploadRefusal(RefusalReason.OffsetMismatch, $"Chunk at offset {offset}; the upload continues at {committed}.", ExpectedOffset: committed);
        try
        {
            parts = StagedLayout.AfterCommit(S.Parts, offset, offset + length, staged.Parts);
        }
        catch (ArgumentException e)
        {
            return Refusal(RefusalReason.InvalidRequest, $"The store's parts do not fit the commit: {e.Message}");
        }
        if (S.StoreUploadId is { } storeUploadId && staged.StoreUploadId is { } other && storeUploadId != other)
            return Refusal(RefusalReason.InvalidRequest, $"The commit names the store's upload {other}; the session's is {storeUploadId}.");
        return null;
    }

    /// <summary>Takes a checked commit into the state (not written yet).</summary>
    private void RecordCommit(int epoch, long offset, long length, StagedPart[] parts, StagedCommit staged)
    {
        state.State = S with
        {
            State = UploadState.Receiving,
            CommittedOffset = offset + length,
            Parts = parts,
            StoreUploadId = S.StoreUploadId ?? staged.StoreUploadId,
            LastActivityAt = clock.GetUtcNow(),
        };
        metrics.RecordBytesReceived(length);
        LogCommitted(UploadId, silo.Name, epoch, offset, length);
    }

    public async Task<CompletionResult> Complete(int epoch, string sha256)
    {
        if (S.State == UploadState.Completed) return new CompletionResult(S.File, null);
        if (StateRefusal() is { } closed) return new CompletionResult(null, closed);
        if (epoch != _epoch) return new CompletionResult(null, Superseded(S.CommittedOffset));
        if (S.LengthDeferred)
            return new CompletionResult(null, new UploadRefusal(RefusalReason.Incomplete,
                $"{S.CommittedOffset} bytes received and the upload's length is not declared yet: declare it to complete it.", ExpectedOffset: S.CommittedOffset));
        if (S.CommittedOffset != S.Size)
            return new CompletionResult(null, new UploadRefusal(RefusalReason.Incomplete,
                $"{S.CommittedOffset} of {S.Size} bytes received; send the rest from offset {S.CommittedOffset}.",
                ExpectedOffset: S.CommittedOffset));

        sha256 = sha256.ToLowerInvariant();
        if (S.ExpectedSha256 is { } expected && expected != sha256)
        {
            var mismatch = Refusal(RefusalReason.HashMismatch, $"SHA-256 of the received bytes is {sha256}; the client declared {expected}.");
            await FailAsync(mismatch);
            return new CompletionResult(null, mismatch);
        }

        return await StoreAsync(epoch, sha256, assemble: false);
    }

    /// <summary>Publishes the assembled upload as a stored file (assembling it first when <paramref name="assemble"/>: an empty
    /// file, which no data plane assembles), keeps its record and ends the session Completed.</summary>
    private async Task<CompletionResult> StoreAsync(int epoch, string sha256, bool assemble)
    {
        // A client without an API key can delete its file only with a token it is given now, once; the record keeps its hash.
        var (deleteToken, deleteTokenSha256) = FileLifecycle.GetsDeleteToken(S.ClientId) ? FileLifecycle.NewDeleteToken() : default;
        var record = new StoredFileRecord(UploadId, S.FileName, S.Size, sha256, S.ContentType, clock.GetUtcNow(), S.NodeName,
            S.ClientId, deleteTokenSha256);
        try
        {
            if (assemble) await store.AssembleAsync(StagingOf(epoch), CancellationToken.None);
            await store.PublishAsync(StagingOf(epoch), record, CancellationToken.None);
        }
        catch (IOException e)
        {
            // The bytes are assembled and verified; only the record did not land (an object store that failed this once).
            // The session stays as it is, so completing again (assembly and publishing are idempotent) stores the file.
            return new CompletionResult(null, new UploadRefusal(RefusalReason.StorageFailure,
                $"Node {silo.Name} could not record the stored file now ({e.Message}); every byte is kept: complete the upload again shortly.",
                ExpectedOffset: S.CommittedOffset));
        }
        await GrainFactory.GetGrain<IStoredFileGrain>(record.FileId).Register(record);
        await FinishAsync(S with { State = UploadState.Completed, File = record }, deleteStaging: true); // what was not promoted
        var seconds = Math.Max(0.001, (clock.GetUtcNow() - S.CreatedAt).TotalSeconds);
        LogCompleted(UploadId, silo.Name, S.Size, seconds, S.Size / seconds / 1e6, sha256);
        return new CompletionResult(record, null, deleteToken);
    }

    public async Task Abort()
    {
        if (!Exists || S.State.IsFinal()) return;
        await FinishAsync(S with { State = UploadState.Aborted }, deleteStaging: true);
        LogAborted(UploadId, silo.Name, S.CommittedOffset);
    }

    public Task<bool> HasEnded() => Task.FromResult(!Exists || S.State.IsFinal() || S.State == UploadState.Parked);

    public async Task<UploadStatus> GetState()
    {
        UploadPlacementHint.Clear(); // the gateway's hint placed this activation (a parked session's, on the roomiest node)
        if (!Exists)
        {
            DeactivateOnIdle(); // as in Open
            return new UploadStatus(UploadId, UploadState.Created, 0, 0, 0, 0, null, null, null, null,
                Refusal(RefusalReason.NotFound, $"No upload {UploadId}."), null, HostNodeId: HostNodeId);
        }
        await ExpireIfOverdueAsync();
        await RecordStartAsync();
        return Status();
    }

    /// <summary>Writes a start not written yet (<see cref="UploadRequest.BodyFollows"/>) before a call answers about the upload:
    /// whoever learns of it (a status call, an open, a 201 that names it) finds it in storage afterwards.</summary>
    private Task RecordStartAsync() => _startUnwritten && !S.State.IsFinal() ? WriteFencedStateAsync() : Task.CompletedTask;

    private UploadStatus Status() => new(UploadId, S.State, S.CommittedOffset, S.Size, S.ReservedBytes, S.ChunkSize, S.NodeId,
        S.FileName, S.ContentType, S.File?.FileId, S.Failure, S.LastActivityAt, S.NodeName, HostNodeId, S.MaxChunksInFlight,
        S.TusMetadata, S.TusConcat, S.LengthDeferred, S.PlanSize);

    /// <summary>The upload as the store stages it for epoch <paramref name="epoch"/>.</summary>
    private StagingTarget StagingOf(int epoch) =>
        new(UploadId, epoch, S.Size, S.ChunkSize, S.CommittedOffset, S.Parts, S.StoreUploadId, S.PlanSize);

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

    /// <summary>What a writer, commit or completion of an epoch other than this activation's is told: the session is held
    /// elsewhere now, and a reconnect reaches it.</summary>
    private UploadRefusal Superseded(long committed) => Refusal(RefusalReason.NodeUnavailable,
        $"Upload {UploadId} has been taken over by a newer writer; reconnect to continue from {committed}.");

    /// <summary>The node this activation runs on: the one whose data plane may write this upload's bytes.</summary>
    private string HostNodeId => MemoryBudgetKey.For(silo.SiloAddress);

    /// <summary>The refusal for a call that needs a live session, or null when the session is live.</summary>
    private UploadRefusal? StateRefusal()
    {
        if (!Exists) return Refusal(RefusalReason.NotFound, $"No upload {UploadId}.");
        return FinishedUploadRefusal.For(UploadId, S.State, S.Failure);
    }

    /// <summary>Renews the lease on this silo. A lease held on another silo (the session was reactivated here after its
    /// node died, or moved) is released there where that silo still lives, and the session reserves again here before it
    /// takes another byte.</summary>
    private async Task<UploadRefusal?> EnsureLeaseAsync()
    {
        if (S.NodeId == HostNodeId && await GrainFactory.BudgetOf(silo.SiloAddress).Renew(UploadId)) return null;
        if (S.NodeId != HostNodeId) await ReleaseLeaseAsync(S.NodeId);
        var grant = await GrainFactory.BudgetOf(silo.SiloAddress).TryReserve(UploadId, S.ReservedBytes);
        if (!grant.Granted) return grant.Refusal;
        state.State = S with { NodeId = HostNodeId, NodeName = silo.Name };
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
        var grant = await GrainFactory.BudgetOf(silo.SiloAddress).TryReserve(UploadId, S.ReservedBytes);
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
        state.State = S with { State = UploadState.Receiving, NodeId = HostNodeId, NodeName = silo.Name, LastActivityAt = clock.GetUtcNow() };
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

    /// <summary>Releases this session's lease on <paramref name="nodeId"/>; a node that has left the cluster took its leases
    /// with it, so failing to reach it is not an error.</summary>
    private async Task ReleaseLeaseAsync(string nodeId)
    {
        if (string.IsNullOrEmpty(nodeId)) return;
        try
        {
            await GrainFactory.BudgetOf(MemoryBudgetKey.ToSilo(nodeId)).Release(UploadId);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            LogLeaseNodeGone(UploadId, nodeId, e.Message);
        }
    }

    private IUploadClientGrain ClientGrain(string clientId) => GrainFactory.GetGrain<IUploadClientGrain>(clientId);

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

    private Task FailAsync(UploadRefusal failure)
    {
        LogFailed(UploadId, silo.Name, failure.Reason, failure.Message);
        return FinishAsync(S with { State = UploadState.Failed, Failure = failure }, deleteStaging: true);
    }

    /// <summary>Every way out goes through here: the final state is written, staging removed if asked, and the lease released.
    /// The state is written first: an activation whose write is refused because another one holds the session (two activations
    /// while a silo shuts down) deletes and releases nothing of that session's.</summary>
    private async Task FinishAsync(UploadSessionState final, bool deleteStaging)
    {
        _expiryTimer?.Dispose();
        _expiryTimer = null;
        state.State = final with { LastActivityAt = clock.GetUtcNow() };
        var superseded = false;
        try
        {
            await WriteFencedStateAsync();
            if (deleteStaging) await DeleteStagingAsync(final);
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
                await ReleaseLeaseAsync(final.NodeId);
                await StoreSpace.Release(UploadId);
                await ReleaseClientAsync(final.ClientId, final.State == UploadState.Completed ? final.Size : final.CommittedOffset);
                metrics.SessionClosed();
                if (final.State == UploadState.Completed) metrics.UploadCompleted();
                else metrics.UploadFailed(final.Failure?.Reason ?? (final.State == UploadState.Aborted ? RefusalReason.Aborted : RefusalReason.Expired));
            }
        }
    }

    /// <summary>Deletes what the session staged and did not publish. A store that fails now leaves remnants for the staging
    /// sweep; the session has ended either way.</summary>
    private async Task DeleteStagingAsync(UploadSessionState final)
    {
        try
        {
            await store.DeleteStagingAsync(new StagingRemains(UploadId, final.WriterEpoch, final.Parts, final.StoreUploadId),
                published: final.State == UploadState.Completed, CancellationToken.None);
        }
        catch (IOException e)
        {
            LogStagingLeft(UploadId, e.Message);
        }
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

    private static UploadRefusal Refusal(RefusalReason reason, string message) => new(reason, message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} started on node {NodeName}: {Size} bytes, {ReservedBytes} reserved, {HeadroomLeftBytes} bytes of headroom left, chunks of {ChunkSize}, client {ClientId}")]
    private partial void LogStarted(string uploadId, string nodeName, long size, long reservedBytes, long headroomLeftBytes, int chunkSize, string clientId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Upload {UploadId} on node {NodeName}: {Length} bytes at {Offset} committed in epoch {Epoch}")]
    private partial void LogCommitted(string uploadId, string nodeName, int epoch, long offset, long length);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} completed: {Size} bytes in {Seconds:F1} s ({MegabytesPerSecond:F1} MB/s since it was created), sha256 {Sha256}")]
    private partial void LogCompleted(string uploadId, string nodeName, long size, double seconds, double megabytesPerSecond, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId}: the node {NodeId} of its old lease is gone ({Detail})")]
    private partial void LogLeaseNodeGone(string uploadId, string nodeId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} could not release its count on client {ClientId} ({Detail}); the client's grain corrects it at its limit")]
    private partial void LogClientReleaseFailed(string uploadId, string clientId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId}: its staged bytes could not be deleted now ({Detail}); the staging sweep removes them")]
    private partial void LogStagingLeft(string uploadId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} aborted at {Committed} bytes")]
    private partial void LogAborted(string uploadId, string nodeName, long committed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} parked at {Committed} bytes: its lease is given back; resumable until {ResumableUntil:u}")]
    private partial void LogParked(string uploadId, string nodeName, long committed, DateTimeOffset resumableUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} declared its length: {Length} bytes; its reservation goes from {ReservedBefore} to {ReservedBytes}")]
    private partial void LogDeclared(string uploadId, string nodeName, long length, long reservedBefore, long reservedBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} resumed on node {NodeName} at {Committed} bytes, {ReservedBytes} reserved again")]
    private partial void LogResumed(string uploadId, string nodeName, long committed, long reservedBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} on node {NodeName} expired at {Committed} bytes")]
    private partial void LogExpired(string uploadId, string nodeName, long committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} on node {NodeName} failed: {Reason} {Detail}")]
    private partial void LogFailed(string uploadId, string nodeName, RefusalReason reason, string detail);

}
