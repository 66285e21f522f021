using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>The commit path: a node begins writing (its fencing epoch), commits ranges its data plane made durable, and
/// completes: the hash checked, the file published by the store, its record kept, the session ended Completed.</summary>
public sealed partial class UploadSessionGrain
{
    public async Task<WritingGrant> BeginWriting(string writerNodeId)
    {
        UploadPlacementHint.Clear();
        if (!Exists) return WritingGrant.Refused(Refusal(RefusalReason.NotFound, $"No upload {UploadId}."));
        await ExpireIfOverdueAsync();
        if (S.State.IsFinal()) return new WritingGrant(0, Status(), [], null);
        if (writerNodeId != ThisNodeId)
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
            if (S.NodeId == ThisNodeId) budget.Renew(UploadId); // else re-reserved at its first commit
        }
        if (_epoch is null)
        {
            state.State = S with { WriterEpoch = S.WriterEpoch + 1 };
            await WriteFencedStateAsync();
            _epoch = S.WriterEpoch;
        }
        GrantedParts granted;
        try
        {
            granted = await GrantedPartsAsync();
        }
        catch (IOException e)
        {
            return WritingGrant.Refused(PartsUnreadable(e));
        }
        return new WritingGrant(_epoch.Value, Status(), granted.Parts, null, S.StoreUploadId, CheckInInterval, S.SentPartNumber, granted.From);
    }

    /// <summary>What a writer is granted of the parts (<see cref="GrantedParts"/>): the tail, unless its store's staging reads a
    /// part sealed before it; then the pages are read.</summary>
    private async Task<GrantedParts> GrantedPartsAsync()
    {
        var tailStart = PartPaging.TailStart(S.Pages);
        if (GrantedParts.OfTail(S.Parts, tailStart, store.PartsForStaging(S.Parts)) is { } tail) return tail;
        var parts = await AllPartsAsync();
        return GrantedParts.OfEvery(parts, tailStart, store.PartsForStaging(parts));
    }

    public async Task<CommittedParts> GetParts(int epoch)
    {
        if (StateRefusal() is { } closed) return CommittedParts.Refused(closed);
        if (epoch != _epoch) return CommittedParts.Refused(CommitRules.Superseded(UploadId, S.CommittedOffset));
        try
        {
            return new CommittedParts(await AllPartsAsync(), null);
        }
        catch (IOException e)
        {
            return CommittedParts.Refused(PartsUnreadable(e));
        }
    }

    private UploadRefusal PartsUnreadable(IOException e) => Refusal(RefusalReason.StorageFailure,
        $"Upload {UploadId}'s record of its parts cannot be read now ({e.Message}); the bytes at {S.CommittedOffset} and before are kept.");

    public async Task<ChunkAck> Commit(int epoch, long offset, long length, string writerNodeId, StagedCommit staged)
    {
        await ExpireIfOverdueAsync();
        var committed = S.CommittedOffset;
        if (CommitRefusal(epoch, offset, length, writerNodeId, staged, out var parts) is { } refused) return ChunkAck.Refused(committed, refused);
        // A writer that stayed connected while the session parked resumes it with this commit.
        if (await HoldLeaseAsync() is { } noLease) return ChunkAck.Refused(committed, noLease);
        RecordCommit(epoch, offset, length, parts, staged);
        await SealDueAsync(replaceableFrom: staged.ReplaceableStart);
        await WriteFencedStateAsync();
        return new ChunkAck(S.CommittedOffset, null);
    }

    public async Task<UploadRefusal?> CheckWriter(int epoch, string writerNodeId)
    {
        await ExpireIfOverdueAsync();
        if ((StateRefusal() ?? CommitRules.WriterRefusal(UploadId, S, writerNodeId == ThisNodeId, epoch == _epoch, silo.Name)) is { } refused)
            return refused;
        // A writer that may write is receiving: not idle. Its lease is renewed (a parked session resumes, as at a commit), and
        // its activity written at most once per half check-in interval, so a session that moves on after a crash keeps the
        // deadline too. Half: the writer checks in an interval after it was last heard, and this turn runs later than that by
        // however long the call took, so a whole interval here would skip every other check-in's write on a loaded node.
        if (await HoldLeaseAsync() is { } noLease) return noLease;
        var now = clock.GetUtcNow();
        if (now - S.LastActivityAt < CheckInInterval / 2) return null;
        state.State = S with { LastActivityAt = now };
        await WriteFencedStateAsync();
        return null;
    }

    public async Task<UploadRefusal?> CheckWriterSending(int epoch, string writerNodeId, int lastPartNumber)
    {
        if (await CheckWriter(epoch, writerNodeId) is { } refused) return refused;
        if (lastPartNumber <= S.SentPartNumber) return null;
        // Written before the writer sends: a later writer (a takeover here, or the next activation) numbers past it. A write
        // that fails (a newer activation wrote the state) answers no send.
        state.State = S with { SentPartNumber = lastPartNumber };
        await WriteFencedStateAsync();
        return null;
    }

    private TimeSpan CheckInInterval => IdlePolicy.CheckInInterval(_uploads.FirstByteTimeout, _budget.LeaseTimeout);

    /// <summary>Why a commit of epoch <paramref name="epoch"/> cannot be taken now (<see cref="CommitRules"/>), or null, with the
    /// parts that hold the committed bytes once it is.</summary>
    private UploadRefusal? CommitRefusal(int epoch, long offset, long length, string writerNodeId, StagedCommit staged, out StagedPart[] parts)
    {
        parts = [];
        return StateRefusal() ?? CommitRules.CommitRefusal(UploadId, S, writerNodeId == ThisNodeId, epoch == _epoch, silo.Name, offset, length, staged, out parts);
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
        if (epoch != _epoch) return new CompletionResult(null, CommitRules.Superseded(UploadId, S.CommittedOffset));
        if (CommitRules.IncompleteRefusal(S) is { } incomplete) return new CompletionResult(null, incomplete);

        sha256 = sha256.ToLowerInvariant();
        if (CommitRules.HashRefusal(S.ExpectedSha256, sha256) is { } mismatch)
        {
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
        // A session that leaves its record to the store's (a one-request upload's) has it hold what its later status and resume
        // calls need (CompletedSession): its resume token's hash marks such a record.
        var recordedByStore = CompletedSession.RecordedByStore(S with { State = UploadState.Completed }, _startUnwritten);
        var record = new StoredFileRecord(UploadId, S.FileName, S.Size, sha256, S.ContentType, clock.GetUtcNow(), S.NodeName,
            S.ClientId, deleteTokenSha256, S.TusMetadata, recordedByStore ? Convert.ToHexStringLower(S.ResumeTokenHash) : null);
        try
        {
            var target = await StagingOfAsync(epoch);
            if (assemble) await store.AssembleAsync(target, CancellationToken.None);
            await store.PublishAsync(target, record, CancellationToken.None);
        }
        catch (IOException e)
        {
            // The bytes are assembled and verified; only the record did not land (an object store that failed this once).
            // The session stays as it is, so completing again (assembly and publishing are idempotent) stores the file.
            return new CompletionResult(null, new UploadRefusal(RefusalReason.StorageFailure,
                $"Node {silo.Name} could not record the stored file now ({e.Message}); every byte is kept: complete the upload again shortly.",
                ExpectedOffset: S.CommittedOffset));
        }
        await FinishAsync(S with { State = UploadState.Completed, File = record }, deleteStaging: true); // what was not promoted
        var seconds = Math.Max(0.001, (clock.GetUtcNow() - S.CreatedAt).TotalSeconds);
        LogCompleted(UploadId, silo.Name, S.Size, seconds, S.Size / seconds / 1e6, sha256);
        return new CompletionResult(record, null, deleteToken);
    }

    /// <summary>
    /// The last commit and the completion in one call (issue 19): one grain call and one state write fewer per upload whose
    /// rest arrives in one request. What it costs nothing of: the client hears of these bytes only in the answer to the
    /// completion, which is given after the Completed state (with this commit in it) is written, so no byte is acknowledged
    /// before it is recorded; a completion that is refused writes the commit before it answers (unless the session failed),
    /// so completing again finds every byte (made durable first, should the writer have left that to the publishing). The lease
    /// is not renewed first, as a commit would: the completion releases it
    /// in this same call. A lease held on another node, or a parked session, is dealt with as a commit does.
    /// </summary>
    public async Task<CompletionResult> CommitAndComplete(int epoch, long offset, long length, string writerNodeId, StagedCommit staged, string sha256)
    {
        await ExpireIfOverdueAsync();
        if (S.State == UploadState.Completed) return new CompletionResult(S.File, null); // its answer was lost: the same file
        if (CommitRefusal(epoch, offset, length, writerNodeId, staged, out var parts) is { } refused) return new CompletionResult(null, refused);
        if ((S.State == UploadState.Parked || S.NodeId != ThisNodeId)
            && await HoldLeaseAsync() is { } noLease)
            return new CompletionResult(null, noLease);
        var before = S;
        RecordCommit(epoch, offset, length, parts, staged);
        var completion = await Complete(epoch, sha256);
        if (completion.File is null && !S.State.IsFinal())
        {
            // The range may have been left to the publishing (IStagingFile.CommitForPublishingAsync), which did not happen:
            // made durable before it is recorded; when it cannot be, it is not recorded.
            try
            {
                await store.FlushStagedAsync(await StagingOfAsync(epoch), CancellationToken.None);
            }
            catch (IOException e)
            {
                state.State = before;
                return new CompletionResult(null, new UploadRefusal(RefusalReason.StorageFailure,
                    $"Node {silo.Name} could not make the bytes at {offset} durable ({e.Message}); send them again from {S.CommittedOffset}.",
                    ExpectedOffset: S.CommittedOffset));
            }
            await WriteFencedStateAsync();
        }
        return completion;
    }
}
