using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;

namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// One opened upload, as every protocol adapter sees it: its terms (from the session grain's status), a writer for its
/// bytes, finishing, aborting, and the one mapping from a finished state to the refusal a client is given. Adapters keep
/// only framing and message shapes.
/// </summary>
public sealed class UploadSessionHandle
{
    private readonly UploadDataPlane _plane;

    internal UploadSessionHandle(UploadDataPlane plane, IUploadSessionGrain grain, UploadStatus status)
    {
        _plane = plane;
        Grain = grain;
        Status = status;
    }

    public IUploadSessionGrain Grain { get; }

    /// <summary>The status when opened (terms: size, chunk size, window; state; committed offset).</summary>
    public UploadStatus Status { get; }

    public string UploadId => Status.UploadId;

    /// <summary>The resume token, known only to the handle of a session this node has just started (<see cref="UploadDataPlane.StartHereAsync"/>).</summary>
    public string? ResumeToken { get; internal init; }

    /// <summary>Started by the request that carries its bytes (<see cref="UploadRequest.BodyFollows"/>): its client has heard
    /// nothing of the upload yet, so a small file's writer commits only when the request ends (<see cref="StagingWriter"/>).</summary>
    internal bool StartedWithItsBody { get; init; }

    /// <summary>The grant of the first writer of a session this node has just started with its bytes (<see cref="UploadStartResult.Writing"/>),
    /// taken by the first <see cref="OpenWriterAsync"/>; any later writer asks the session.</summary>
    internal WritingGrant? FirstWriting
    {
        get => _firstWriting;
        init => _firstWriting = value;
    }

    private WritingGrant? _firstWriting;

    /// <summary>The stored file of a session this node has just started that completed as it started (an empty file), else null.</summary>
    public StoredUpload? StoredAtStart { get; internal init; }

    /// <summary>The stored file of a completed upload, or null when it has none (any more).</summary>
    public Task<StoredFileRecord?> StoredFileAsync() =>
        Status.FileId is { } fileId ? _plane.StoredFileAsync(fileId) : Task.FromResult<StoredFileRecord?>(null);

    /// <summary>This node's name.</summary>
    public string NodeName => _plane.NodeName;

    /// <summary>The refusal for a connection to an upload that has finished, or null when it is live.</summary>
    public UploadRefusal? FinishedRefusal => Status.State.IsFinal() ? RefusalFor(Status) : null;

    /// <summary>Becomes this upload's only writer (a connection already writing it is refused from its next write on) and
    /// returns the writer, which starts at the committed offset, or at <paramref name="streamOffset"/> for a client that
    /// sends from an earlier point (bytes already committed are then checked, not written again).</summary>
    public Task<StagingWriter> OpenWriterAsync(Func<long, ValueTask>? onCommitted, long? streamOffset = null) =>
        _plane.OpenWriterAsync(Grain, UploadId, streamOffset, onCommitted, StartedWithItsBody, Interlocked.Exchange(ref _firstWriting, null));

    /// <summary>A writer for a body that counts only once the protocol has verified all of it (a tus PATCH under
    /// <c>Upload-Checksum</c>): its bytes go to the staging file at their offsets as they arrive, and on an object store to the
    /// store as chunks fill (the scratch keeps at most two), but the session records nothing before
    /// <see cref="StagingWriter.CompleteAsync"/> (or this lifecycle's <see cref="CompleteAsync"/>);
    /// <see cref="StagingWriter.DiscardAsync"/> gives them up instead. Uncommitted bytes past the committed offset are
    /// overwritten by the next writer of the epoch, and a later epoch writes a staging file of its own, so discarded bytes are
    /// never part of a stored file; parts and blocks sent but never recorded are overwritten by the epoch's next writer or
    /// dropped with the upload. Before each send the writer asks the session whether its epoch still holds
    /// (<see cref="IUploadSessionGrain.CheckWriterSending"/>), so a writer taken over by another epoch sends at most one more
    /// commit's S3 parts, in part numbers the session recorded before the send and later writers number past.</summary>
    public Task<StagingWriter> OpenHeldWriterAsync() =>
        _plane.OpenWriterAsync(Grain, UploadId, streamOffset: null, onCommitted: null, StartedWithItsBody,
            Interlocked.Exchange(ref _firstWriting, null), holdsCommits: true);

    /// <summary>An upload made of other uploads' stored files (a tus final concatenation): copies their bytes, in order, into
    /// this session from its committed offset on, through one writer, and completes it; the refusal is thrown.</summary>
    public async Task<StoredUpload> ConcatenateAsync(IReadOnlyList<UploadStatus> parts, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(onCommitted: null);
        var skip = writer.CommittedOffset;
        foreach (var part in parts)
        {
            if (skip >= part.Size)
            {
                skip -= part.Size;
                continue;
            }
            await using var stored = await _plane.OpenStoredFileAsync(part.FileId!, part.Size, cancellationToken) ?? throw new UploadRefusedException(
                new UploadRefusal(RefusalReason.StorageFailure, $"The stored bytes of upload {part.UploadId} are missing."));
            if (skip > 0) stored.Seek(skip, SeekOrigin.Begin);
            var copied = await writer.CopyFromAsync(stored, part.Size - skip, cancellationToken);
            if (copied != part.Size - skip)
                throw new UploadRefusedException(new UploadRefusal(RefusalReason.StorageFailure,
                    $"Upload {part.UploadId} holds {copied + skip} bytes, not {part.Size}."));
            skip = 0;
        }
        return await CompleteAsync(writer, cancellationToken);
    }

    /// <summary>Commits what the writer holds, verifies the SHA-256 and stores the file; the refusal is thrown.</summary>
    /// <remarks>The writer's last range, of which its client was told nothing yet, is recorded by the completion itself
    /// (<see cref="StagingWriter.CompleteForStoringAsync"/>). A writer granted only the last parts (<see cref="WritingGrant.PartsFrom"/>: the upload's oldest are sealed in the
    /// session's pages) asks the session for every part first; one granted every part (every small upload) does not.</remarks>
    public async Task<StoredUpload> CompleteAsync(StagingWriter writer, CancellationToken cancellationToken)
    {
        if (await writer.CompleteForStoringAsync() is not { } final)
            return await CompleteAsync(writer.Epoch, await EveryPartAsync(writer.Epoch, writer.Parts, writer.PartsFrom), writer.StoreUploadId,
                writer.CommittedOffset, cancellationToken);
        var parts = StagedLayout.AfterCommit(await EveryPartAsync(writer.Epoch, writer.Parts, writer.PartsFrom), final.Offset, final.End, final.Staged.Parts);
        var stored = await CompleteAsync(writer.Epoch, parts, writer.StoreUploadId ?? final.Staged.StoreUploadId, final.End, cancellationToken,
            (epoch, sha256) => Grain.CommitAndComplete(epoch, final.Offset, final.Length, _plane.NodeId, final.Staged, sha256));
        writer.Recorded(final);
        return stored;
    }

    /// <summary>Completes an upload whose bytes were all committed by earlier connections.</summary>
    public async Task<StoredUpload> CompleteAsync(CancellationToken cancellationToken)
    {
        var grant = await _plane.BeginWritingAsync(Grain);
        return await CompleteAsync(grant.Epoch, await EveryPartAsync(grant.Epoch, grant.Parts, grant.PartsFrom), grant.StoreUploadId,
            grant.Status!.CommittedOffset, cancellationToken);
    }

    /// <summary>Every committed part: <paramref name="parts"/> when they begin at 0 (<paramref name="from"/>), else the session's,
    /// asked in epoch <paramref name="epoch"/> (<see cref="IUploadSessionGrain.GetParts"/>); the refusal is thrown.</summary>
    private async Task<StagedPart[]> EveryPartAsync(int epoch, StagedPart[] parts, long from)
    {
        if (from == 0) return parts;
        var every = await Grain.GetParts(epoch);
        return every.Refusal is { } refusal ? throw new UploadRefusedException(refusal) : every.Parts;
    }

    /// <summary>Completes the upload once <paramref name="committed"/> bytes are committed: the store assembles the staged bytes
    /// into one object, they are hashed, and the session, in epoch
    /// <paramref name="epoch"/>, verifies the SHA-256 and stores the file; the refusal is thrown.</summary>
    private async Task<StoredUpload> CompleteAsync(int epoch, StagedPart[] parts, string? storeUploadId, long committed, CancellationToken cancellationToken,
        Func<int, string, Task<CompletionResult>>? complete = null)
    {
        if (Status.LengthDeferred)
            throw new UploadRefusedException(new UploadRefusal(RefusalReason.Incomplete,
                $"{committed} bytes received and the upload's length is not declared yet: declare it (tus: Upload-Length) to complete it.", ExpectedOffset: committed));
        if (committed != Status.Size)
            throw new UploadRefusedException(new UploadRefusal(RefusalReason.Incomplete,
                $"{committed} of {Status.Size} bytes received; send the rest from offset {committed}.", ExpectedOffset: committed));
        var sha256 = await _plane.PrepareToStoreAsync(
            new StagingTarget(UploadId, epoch, Status.Size, Status.ChunkSize, committed, parts, storeUploadId, Status.PlanSize), cancellationToken);
        var result = await (complete ?? Grain.Complete)(epoch, sha256);
        _plane.Forget(UploadId);
        if (result.File is not { } file) throw new UploadRefusedException(result.Refusal!);
        if (ConcatenationRole.IsPartial(Status.TusConcat)) _plane.PartialStored(UploadId); // a final upload may wait for it
        return new StoredUpload(file, result.DeleteToken);
    }

    /// <summary>Deletes the stored file of this completed upload (the caller authorised it: a tus upload URL); false when it
    /// had none any more.</summary>
    public Task<bool> DeleteStoredFileAsync() =>
        Status.FileId is { } fileId ? _plane.DeleteStoredFileAsync(fileId) : Task.FromResult(false);

    public async Task AbortAsync()
    {
        await Grain.Abort();
        _plane.Forget(UploadId);
    }

    /// <summary>What a client is told about an upload that has finished (<see cref="FinishedUploadRefusal"/>).</summary>
    public static UploadRefusal RefusalFor(UploadStatus finished) =>
        FinishedUploadRefusal.For(finished) ?? throw new ArgumentException($"Upload {finished.UploadId} is {finished.State}, not finished.", nameof(finished));
}
