using System.Security.Cryptography;
using DirectDriveX.Node.Uploads;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Placement;

namespace DirectDriveX.Grains.Sessions;

/// <summary>The start (created → reserved: the client counted, the store space promised, the lease taken) and a declared length.</summary>
public sealed partial class UploadSessionGrain
{
    public async Task<UploadStartResult> Start(UploadRequest request)
    {
        // The routing hint placed this activation, and the new upload's mark spared it a storage read; neither goes on to the
        // grains this session calls.
        UploadPlacementHint.Clear();
        NewUploadMark.Clear();
        if (Exists)
            return UploadStartResult.Refused(Refusal(RefusalReason.InvalidState, $"Upload {UploadId} has already been started."));
        if (!UploadIds.IsWellFormed(UploadId))
            return UploadStartResult.Refused(Refusal(RefusalReason.InvalidRequest, "uploadId: not a well-formed upload id."));
        if (request.RequiredNodeId is { } required && required != ThisNodeId)
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
        var nodeId = ThisNodeId;
        // The client's count, the store space and the lease, asked at once (issue 19, fifth round; StartHolds).
        // A one-request upload's admission is written while its bytes arrive, confirmed before anyone hears of the upload.
        var admitWritingBehind = request.BodyFollows && bound > 0 && client is not null;
        var (grant, refused) = await TakeStartHoldsAsync(request, plan.ReservedBytes, admitWritingBehind);
        if (refused is not null)
        {
            DeactivateOnIdle();
            return UploadStartResult.Refused(refused);
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
            budget.Release(UploadId);
            await StoreSpace.Release(UploadId);
            await ReleaseClientAsync(client?.ClientId, 0);
            throw;
        }
        _epoch = S.WriterEpoch;
        if (admitWritingBehind) _admissionConfirmed = ConfirmAdmissionAsync(client!, request.Size);
        StartExpiryTimer();
        metrics.UploadStarted();
        metrics.SessionOpened();
        if (_startUnwritten) LogStartedWithBytes(UploadId, silo.Name, bound, grant.Bytes, grant.HeadroomLeftBytes, plan.ChunkSize, client?.ClientId ?? "-");
        else LogStarted(UploadId, silo.Name, bound, grant.Bytes, grant.HeadroomLeftBytes, plan.ChunkSize, client?.ClientId ?? "-");
        var info = new UploadSessionInfo(UploadId, token, nodeId, silo.Name, bound, grant.Bytes, plan.ChunkSize, plan.MaxChunksInFlight, S.FileName);
        // The first writer of a session started with its bytes is this node's, under this activation's epoch, now: what
        // BeginWriting would answer it (issue 19: two calls fewer per upload, BeginWriting and its lease renewal).
        if (bound > 0)
            return new UploadStartResult(info, null, Status: Status(),
                Writing: request.BodyFollows ? new WritingGrant(_epoch.Value, Status(), S.Parts, null, S.StoreUploadId, CheckInInterval) : null);

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
        if (plan.ReservedBytes < S.ReservedBytes && S.NodeId == ThisNodeId) budget.Shrink(UploadId, plan.ReservedBytes);
        var reserved = S.ReservedBytes;
        state.State = S with { Size = length, LengthDeferred = false, ReservedBytes = plan.ReservedBytes, MaxChunksInFlight = plan.MaxChunksInFlight };
        await WriteFencedStateAsync();
        LogDeclared(UploadId, silo.Name, length, reserved, plan.ReservedBytes);
        return null;
    }

    /// <summary>The terms of a session of <paramref name="size"/> bytes on this node.</summary>
    private ChunkPlan Plan(long size) => ChunkPlan.For(size, _uploads.MinChunkBytes, _uploads.MaxChunkBytes);
}
