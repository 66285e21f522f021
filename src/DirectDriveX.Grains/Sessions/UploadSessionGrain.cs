using System.Security.Cryptography;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Buffers;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using DirectDriveX.Grains.Placement;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// One upload. It reserves its tier on the budget of the silo it lives on before it accepts a byte, writes each chunk through
/// the silo's <see cref="ChunkBufferPool"/> to its staging file, acknowledges an offset only once it is durable, verifies
/// length and SHA-256 at completion, and releases its lease on every way out: completion, abort, idle expiry, failure.
/// </summary>
[UploadSessionPlacement]
public sealed partial class UploadSessionGrain(
    [PersistentState("upload")] IPersistentState<UploadSessionState> state,
    IFileStore store,
    ChunkBufferPool pool,
    ILocalSiloDetails silo,
    TimeProvider clock,
    UploadMetrics metrics,
    IOptions<UploadOptions> uploadOptions,
    IOptions<MemoryBudgetOptions> budgetOptions,
    ILogger<UploadSessionGrain> logger) : Grain, IUploadSessionGrain
{
    private readonly UploadOptions _uploads = uploadOptions.Value;
    private readonly MemoryBudgetOptions _budget = budgetOptions.Value;
    private IncrementalHash? _hash;   // over bytes [0, _hashedUpTo), kept while this activation lives
    private long _hashedUpTo;
    private IGrainTimer? _expiryTimer;

    private string UploadId => this.GetPrimaryKeyString();
    private UploadSessionState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists || S.State.IsFinal()) return;

        // Bytes past the committed offset were written but never acknowledged: cut them. Fewer bytes than committed
        // means the staging file was lost, and the session cannot honour what it acknowledged.
        var staged = store.GetStagingLength(UploadId);
        if (staged > S.CommittedOffset) store.TruncateStaging(UploadId, S.CommittedOffset);
        else if (staged < S.CommittedOffset)
            await FailAsync(new UploadRefusal(RefusalReason.StorageFailure,
                $"Staging data of upload {UploadId} is shorter ({staged}) than its committed offset ({S.CommittedOffset})."));
        if (!S.State.IsFinal())
        {
            StartExpiryTimer();
            metrics.SessionOpened(); // a live session now held by this activation
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _hash?.Dispose();
        if (state.RecordExists && !S.State.IsFinal()) metrics.SessionClosed(); // it lives on in storage, not here
        return Task.CompletedTask;
    }

    public async Task<UploadStartResult> Start(UploadRequest request)
    {
        // The routing hint placed this activation; it must not steer the grains this session calls.
        UploadPlacementHint.Clear();
        if (state.RecordExists)
            return UploadStartResult.Refused(Refusal(RefusalReason.InvalidState, $"Upload {UploadId} has already been started."));
        if (!UploadIds.IsWellFormed(UploadId))
            return UploadStartResult.Refused(Refusal(RefusalReason.InvalidRequest, "uploadId: not a well-formed upload id."));
        if (UploadRequestValidation.Check(request, _uploads) is { } invalid)
            return UploadStartResult.Refused(invalid);

        var plan = ChunkPlan.For(request.Size, _uploads.MinChunkBytes, Math.Min(_uploads.MaxChunkBytes, pool.LargestBufferSize));
        var nodeId = MemoryBudgetKey.For(silo.SiloAddress);
        var grant = await GrainFactory.BudgetOf(silo.SiloAddress).TryReserve(UploadId, plan.ReservedBytes);
        if (!grant.Granted)
        {
            DeactivateOnIdle();
            return UploadStartResult.Refused(grant.Refusal!);
        }

        var token = UploadIds.NewResumeToken();
        var now = clock.GetUtcNow();
        state.State = new UploadSessionState
        {
            State = UploadState.Reserved,
            FileName = request.FileName,
            Size = request.Size,
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
        };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await GrainFactory.BudgetOf(silo.SiloAddress).Release(UploadId);
            throw;
        }
        StartExpiryTimer();
        metrics.UploadStarted();
        metrics.SessionOpened();
        LogStarted(UploadId, silo.Name, request.Size, grant.Bytes, plan.ChunkSize);
        return new UploadStartResult(
            new UploadSessionInfo(UploadId, token, nodeId, silo.Name, request.Size, grant.Bytes, plan.ChunkSize, plan.MaxChunksInFlight),
            null);
    }

    public Task<bool> Authorize(string resumeToken) =>
        Task.FromResult(state.RecordExists && resumeToken is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(resumeToken)), S.ResumeTokenHash));

    public async Task<ChunkAck> WriteChunk(long offset, ReadOnlyMemory<byte> data)
    {
        if (StateRefusal() is { } closed) return ChunkAck.Refused(S.CommittedOffset, closed);
        var committed = S.CommittedOffset;
        if (data.IsEmpty)
            return ChunkAck.Refused(committed, Refusal(RefusalReason.InvalidRequest, "A chunk must carry at least one byte."));
        if (data.Length > S.ChunkSize)
            return ChunkAck.Refused(committed, Refusal(RefusalReason.ChunkTooLarge,
                $"Chunk of {data.Length} bytes is over this upload's chunk size of {S.ChunkSize} bytes."));
        if (offset < 0 || offset + data.Length > S.Size)
            return ChunkAck.Refused(committed, Refusal(RefusalReason.ChunkTooLarge,
                $"Chunk [{offset}, {offset + data.Length}) is outside the declared size of {S.Size} bytes."));
        if (offset + data.Length <= committed)
            return await AcknowledgeDuplicateAsync(offset, data);
        if (offset != committed)
            return ChunkAck.Refused(committed, new UploadRefusal(RefusalReason.OffsetMismatch,
                $"Chunk at offset {offset}; the upload continues at {committed}.", ExpectedOffset: committed));

        if (await EnsureLeaseAsync() is { } noLease) return ChunkAck.Refused(committed, noLease);

        var started = clock.GetTimestamp();
        using (var buffer = await pool.RentAsync(data.Length, CancellationToken.None))
        {
            if (buffer is null)
                return ChunkAck.Refused(committed, Refusal(RefusalReason.BuffersExhausted,
                    $"Node {silo.Name} has no free chunk buffer; retry this chunk shortly."));
            data.CopyTo(buffer.Memory);
            try
            {
                await store.WriteStagingAsync(UploadId, offset, buffer.Memory, CancellationToken.None);
            }
            catch (IOException e)
            {
                LogStorageFailed(e, UploadId, silo.Name);
                var failure = Refusal(RefusalReason.StorageFailure, $"Node {silo.Name} could not store the chunk: {e.Message}");
                await FailAsync(failure);
                return ChunkAck.Refused(committed, failure);
            }
            HashContiguous(offset, buffer.Memory.Span);
        }

        state.State = S with
        {
            State = UploadState.Receiving,
            CommittedOffset = offset + data.Length,
            LastActivityAt = clock.GetUtcNow(),
        };
        await state.WriteStateAsync();
        var elapsed = clock.GetElapsedTime(started);
        metrics.RecordBytesReceived(data.Length);
        metrics.RecordChunkWrite(elapsed);
        LogChunk(UploadId, silo.Name, offset, data.Length, elapsed.TotalMilliseconds);
        return new ChunkAck(S.CommittedOffset, false, null);
    }

    public async Task<CompletionResult> Complete()
    {
        if (S.State == UploadState.Completed) return new CompletionResult(S.File, null);
        if (StateRefusal() is { } closed) return new CompletionResult(null, closed);
        if (S.CommittedOffset != S.Size)
            return new CompletionResult(null, new UploadRefusal(RefusalReason.Incomplete,
                $"{S.CommittedOffset} of {S.Size} bytes received; send the rest from offset {S.CommittedOffset}.",
                ExpectedOffset: S.CommittedOffset));

        string sha256;
        try
        {
            sha256 = await ComputeSha256Async();
        }
        catch (IOException e)
        {
            var failure = Refusal(RefusalReason.StorageFailure, $"Node {silo.Name} could not read the staged file: {e.Message}");
            await FailAsync(failure);
            return new CompletionResult(null, failure);
        }
        if (S.ExpectedSha256 is { } expected && expected != sha256)
        {
            var mismatch = Refusal(RefusalReason.HashMismatch, $"SHA-256 of the received bytes is {sha256}; the client declared {expected}.");
            await FailAsync(mismatch);
            return new CompletionResult(null, mismatch);
        }

        var record = new StoredFileRecord(UploadId, S.FileName, S.Size, sha256, S.ContentType, clock.GetUtcNow(), S.NodeName);
        try
        {
            store.Promote(UploadId, record.FileId);
        }
        catch (IOException e)
        {
            var failure = Refusal(RefusalReason.StorageFailure, $"Node {silo.Name} could not store the file: {e.Message}");
            await FailAsync(failure);
            return new CompletionResult(null, failure);
        }
        await GrainFactory.GetGrain<IStoredFileGrain>(record.FileId).Register(record);
        await FinishAsync(S with { State = UploadState.Completed, File = record }, deleteStaging: false);
        LogCompleted(UploadId, silo.Name, S.Size, sha256);
        return new CompletionResult(record, null);
    }

    public async Task Abort()
    {
        if (!state.RecordExists || S.State.IsFinal()) return;
        await FinishAsync(S with { State = UploadState.Aborted }, deleteStaging: true);
        LogAborted(UploadId, silo.Name, S.CommittedOffset);
    }

    public Task<UploadStatus> GetStatus() => Task.FromResult(state.RecordExists
        ? new UploadStatus(UploadId, S.State, S.CommittedOffset, S.Size, S.ReservedBytes, S.ChunkSize, S.NodeId,
            S.FileName, S.ContentType, S.File?.FileId, S.Failure, S.LastActivityAt)
        : new UploadStatus(UploadId, UploadState.Created, 0, 0, 0, 0, null, null, null, null,
            Refusal(RefusalReason.NotFound, $"No upload {UploadId}."), null));

    /// <summary>The refusal for a call that needs a live session, or null when the session is live.</summary>
    private UploadRefusal? StateRefusal()
    {
        if (!state.RecordExists) return Refusal(RefusalReason.NotFound, $"No upload {UploadId}.");
        return S.State switch
        {
            UploadState.Completed => Refusal(RefusalReason.InvalidState, $"Upload {UploadId} is already completed."),
            UploadState.Aborted => Refusal(RefusalReason.Aborted, $"Upload {UploadId} was aborted."),
            UploadState.Expired => Refusal(RefusalReason.Expired, $"Upload {UploadId} expired after {_budget.LeaseTimeout} without data; start a new upload."),
            UploadState.Failed => S.Failure ?? Refusal(RefusalReason.InvalidState, $"Upload {UploadId} failed."),
            _ => null,
        };
    }

    private async Task<ChunkAck> AcknowledgeDuplicateAsync(long offset, ReadOnlyMemory<byte> data)
    {
        using var buffer = await pool.RentAsync(data.Length, CancellationToken.None);
        if (buffer is null)
            return ChunkAck.Refused(S.CommittedOffset, Refusal(RefusalReason.BuffersExhausted,
                $"Node {silo.Name} has no free chunk buffer; retry this chunk shortly."));
        var read = await store.ReadStagingAsync(UploadId, offset, buffer.Memory, CancellationToken.None);
        if (read != data.Length || !buffer.Memory.Span.SequenceEqual(data.Span))
            return ChunkAck.Refused(S.CommittedOffset, new UploadRefusal(RefusalReason.OffsetMismatch,
                $"Chunk at offset {offset} differs from the bytes already committed there; the upload continues at {S.CommittedOffset}.",
                ExpectedOffset: S.CommittedOffset));
        await GrainFactory.BudgetOf(SiloAddress.FromParsableString(S.NodeId)).Renew(UploadId);
        return new ChunkAck(S.CommittedOffset, true, null);
    }

    /// <summary>Renews the lease; if it is gone (its node left the cluster), reserves again on this silo.</summary>
    private async Task<UploadRefusal?> EnsureLeaseAsync()
    {
        if (await GrainFactory.BudgetOf(SiloAddress.FromParsableString(S.NodeId)).Renew(UploadId)) return null;
        var grant = await GrainFactory.BudgetOf(silo.SiloAddress).TryReserve(UploadId, S.ReservedBytes);
        if (!grant.Granted) return grant.Refusal;
        state.State = S with { NodeId = MemoryBudgetKey.For(silo.SiloAddress), NodeName = silo.Name };
        await state.WriteStateAsync();
        return null;
    }

    private void HashContiguous(long offset, ReadOnlySpan<byte> chunk)
    {
        if (offset == 0) { _hash?.Dispose(); _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256); _hashedUpTo = 0; }
        if (_hash is null || offset != _hashedUpTo) return;
        _hash.AppendData(chunk);
        _hashedUpTo += chunk.Length;
    }

    /// <summary>The SHA-256 of the staged bytes: from the running hash when this activation saw every chunk, else re-read
    /// from the staging file through the pool.</summary>
    private async Task<string> ComputeSha256Async()
    {
        if (_hash is not null && _hashedUpTo == S.Size)
            return Convert.ToHexStringLower(_hash.GetHashAndReset());

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var bufferSize = Math.Min(pool.LargestBufferSize, S.ChunkSize);
        using var buffer = await pool.RentAsync(bufferSize, CancellationToken.None)
            ?? throw new IOException($"Node {silo.Name} has no free chunk buffer to verify the upload.");
        for (long position = 0; position < S.Size;)
        {
            var read = await store.ReadStagingAsync(UploadId, position, buffer.Memory, CancellationToken.None);
            if (read == 0) throw new IOException($"Staging file of {UploadId} ends at {position}, before {S.Size}.");
            hash.AppendData(buffer.Memory.Span[..read]);
            position += read;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private Task FailAsync(UploadRefusal failure)
    {
        LogFailed(UploadId, silo.Name, failure.Reason, failure.Message);
        return FinishAsync(S with { State = UploadState.Failed, Failure = failure }, deleteStaging: true);
    }

    /// <summary>Every way out goes through here: the final state is written, staging removed if asked, and the lease released.</summary>
    private async Task FinishAsync(UploadSessionState final, bool deleteStaging)
    {
        _expiryTimer?.Dispose();
        _expiryTimer = null;
        _hash?.Dispose();
        _hash = null;
        state.State = final with { LastActivityAt = clock.GetUtcNow() };
        try
        {
            if (deleteStaging) store.DeleteStaging(UploadId);
            await state.WriteStateAsync();
        }
        finally
        {
            await GrainFactory.BudgetOf(SiloAddress.FromParsableString(final.NodeId)).Release(UploadId);
            metrics.SessionClosed();
            if (final.State == UploadState.Completed) metrics.UploadCompleted();
            else metrics.UploadFailed(final.Failure?.Reason ?? (final.State == UploadState.Aborted ? RefusalReason.Aborted : RefusalReason.Expired));
        }
    }

    private void StartExpiryTimer() =>
        _expiryTimer ??= this.RegisterGrainTimer(ExpireIfIdleAsync, _budget.SweepInterval, _budget.SweepInterval);

    private async Task ExpireIfIdleAsync(CancellationToken cancellationToken)
    {
        if (S.State.IsFinal() || clock.GetUtcNow() - S.LastActivityAt < _budget.LeaseTimeout) return;
        await FinishAsync(S with { State = UploadState.Expired }, deleteStaging: true);
        LogExpired(UploadId, silo.Name, S.CommittedOffset);
    }

    private static UploadRefusal Refusal(RefusalReason reason, string message) => new(reason, message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} started on node {NodeName}: {Size} bytes, {ReservedBytes} reserved, chunks of {ChunkSize}")]
    private partial void LogStarted(string uploadId, string nodeName, long size, long reservedBytes, int chunkSize);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Upload {UploadId} on node {NodeName}: chunk at {Offset} ({Length} bytes) committed in {Milliseconds} ms")]
    private partial void LogChunk(string uploadId, string nodeName, long offset, int length, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} completed: {Size} bytes, sha256 {Sha256}")]
    private partial void LogCompleted(string uploadId, string nodeName, long size, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} aborted at {Committed} bytes")]
    private partial void LogAborted(string uploadId, string nodeName, long committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} on node {NodeName} expired at {Committed} bytes")]
    private partial void LogExpired(string uploadId, string nodeName, long committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} on node {NodeName} failed: {Reason} {Detail}")]
    private partial void LogFailed(string uploadId, string nodeName, RefusalReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Upload {UploadId} on node {NodeName}: storage failure")]
    private partial void LogStorageFailed(Exception exception, string uploadId, string nodeName);
}
