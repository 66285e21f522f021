using System.Threading.Channels;
using DirectDriveX.Storage;
using DirectDriveX.Node.Buffers;
using DirectDriveX.Node.Uploads;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;

namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// This node's data plane: opens an upload for a protocol adapter (authorised by its session grain, which must be active on
/// this node) and gives it an <see cref="UploadSessionHandle"/>, through which the bytes go to this node's pool and disk.
/// </summary>
public sealed class UploadDataPlane(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    ChunkBufferPool pool,
    IUploadStore store,
    StagedUploads staged,
    UploadMetrics metrics,
    TimeProvider clock)
{
    /// <summary>How long a new connection waits for the commits of the connection it takes over to land.</summary>
    public static readonly TimeSpan TakeOverDrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>This node's id (its silo address, the key of its budget grain).</summary>
    public string NodeId { get; } = MemoryBudgetKey.For(silo.SiloAddress);

    public string NodeName => silo.Name;

    private readonly Channel<string> _storedPartials = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The partial uploads (of a concatenation) this node has stored, by whichever protocol: what
    /// <see cref="Concatenation.UploadConcatenation"/> starts the final uploads made of them from.</summary>
    public ChannelReader<string> StoredPartials => _storedPartials.Reader;

    internal void PartialStored(string uploadId) => _storedPartials.Writer.TryWrite(uploadId);

    /// <summary>A stored file's bytes of <paramref name="length"/> from the store (a seekable stream), or null when absent: what
    /// an adapter copies from when one upload is made of others (tus concatenation).</summary>
    public Task<Stream?> OpenStoredFileAsync(string fileId, long length, CancellationToken cancellationToken) =>
        UploadIds.IsWellFormed(fileId) ? store.OpenStoredAsync(fileId, length, cancellationToken) : Task.FromResult<Stream?>(null);

    /// <summary>Opens upload <paramref name="uploadId"/> with its resume token (not needed when <paramref name="requireToken"/>
    /// is false: the legacy client's file id is its only secret). Refused when the id is unknown, the token wrong, or the
    /// session lives on another node (the gateway routes a reconnect to where it lives).</summary>
    public async Task<(UploadSessionHandle? Handle, UploadRefusal? Refusal)> OpenAsync(string uploadId, string? token, bool requireToken)
    {
        var opening = await OpenStatusAsync(uploadId, token, requireToken);
        if (!opening.Opened) return (null, opening.Refusal);
        var status = opening.Status!;
        if (!status.State.IsFinal() && status.ActiveNodeId != NodeId)
            return (null, new UploadRefusal(RefusalReason.NodeUnavailable,
                $"Upload {uploadId} is served by another node now; reconnect through the gateway."));
        return (new UploadSessionHandle(this, grains.ReferenceTo<IUploadSessionGrain>(uploadId), status), null);
    }

    /// <summary>Upload <paramref name="uploadId"/>'s status from its session, wherever it is active, with its token checked as
    /// <see cref="OpenAsync"/> does: refused when the id is unknown, the token wrong, the session out of reach, or the upload
    /// complete and its file deleted (or expired), which makes it gone for every protocol, as its file is.</summary>
    internal async Task<UploadOpening> OpenStatusAsync(string uploadId, string? token, bool requireToken)
    {
        if (!UploadIds.IsWellFormed(uploadId)) return new UploadOpening(null, new UploadRefusal(RefusalReason.NotFound, $"No upload {uploadId}."));
        try
        {
            var opening = await grains.ReferenceTo<IUploadSessionGrain>(uploadId).Open(token, requireToken);
            if (opening.Status is { State: UploadState.Completed, FileId: { } fileId } && await StoredFileAsync(fileId) is null)
                return new UploadOpening(null, new UploadRefusal(RefusalReason.NotFound, $"Upload {uploadId} is complete, and its file {fileId} no longer exists."));
            return opening;
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return new UploadOpening(null, new UploadRefusal(RefusalReason.NodeUnavailable, $"The session of upload {uploadId} cannot be reached now; retry shortly."));
        }
    }

    /// <summary>Starts a session on this node (a request whose bytes are already arriving here: multipart) and opens it; under
    /// <paramref name="uploadId"/> when the caller fixed it beforehand (a tus final upload's session), else a new id.</summary>
    public async Task<(UploadSessionHandle? Handle, UploadRefusal? Refusal)> StartHereAsync(UploadRequest request, string? uploadId = null)
    {
        var id = uploadId ?? UploadIds.NewId();
        var drawnHere = uploadId is null;
        var grain = grains.ReferenceTo<IUploadSessionGrain>(id);
        // An id fixed beforehand may have been asked about (a status call activates an empty session, which deactivates
        // once it has answered): the start names this node, and an activation elsewhere refuses it and goes, so that the
        // next attempt lands here (each within 50 ms of the last, for at most 2 s).
        if (!drawnHere) request = request with { RequiredNodeId = NodeId };
        UploadStartResult started;
        for (var attempt = 0; ; attempt++)
        {
            using (UploadPlacementHint.Target(silo.SiloAddress))
            using (drawnHere ? NewUploadMark.For(id) : null) // an id drawn here is started once, and never asked about before
                started = await grain.Start(request);
            if (started.Accepted || drawnHere || started.Refusal?.Reason != RefusalReason.NodeUnavailable || attempt == 40) break;
            await Task.Delay(50);
        }
        if (!started.Accepted) return (null, started.Refusal);
        var status = started.Status ?? await grain.GetState(); // a silo of the version before answers no status
        var stored = started.Completion is { File: { } file } completion ? new StoredUpload(file, completion.DeleteToken) : null;
        return (new UploadSessionHandle(this, grain, status)
        {
            ResumeToken = started.Session!.ResumeToken, StoredAtStart = stored, StartedWithItsBody = request.BodyFollows,
            FirstWriting = started.Writing,
        }, null);
    }

    /// <summary>The record of stored file <paramref name="fileId"/>, or null when there is none (any more).</summary>
    internal Task<StoredFileRecord?> StoredFileAsync(string fileId) => grains.ReferenceTo<IStoredFileGrain>(fileId).GetRecord();

    internal Task<bool> DeleteStoredFileAsync(string fileId) => grains.ReferenceTo<IStoredFileGrain>(fileId).Delete();

    internal async Task<StagingWriter> OpenWriterAsync(IUploadSessionGrain grain, string uploadId, long? streamOffset, Func<long, ValueTask>? onCommitted,
        bool startedWithItsBody = false, WritingGrant? granted = null, bool holdsCommits = false)
    {
        var upload = staged.Get(uploadId);
        var generation = await upload.TakeOverAsync(TakeOverDrainTimeout);
        WritingGrant grant;
        try
        {
            // Settled now that the previous writer's commits have landed; a session just started here grants its first writer
            // with its start (UploadStartResult.Writing).
            grant = granted ?? await BeginWritingAsync(grain);
        }
        catch
        {
            upload.Leave(generation, committed: -1);
            throw;
        }
        if (!upload.Enter(generation, grant.Epoch))
            throw new UploadRefusedException(new UploadRefusal(RefusalReason.InvalidState, "Another connection has taken over this upload; this one ends."));
        var status = grant.Status!;
        IStagingFile file;
        try
        {
            file = await store.OpenStagingAsync(new StagingTarget(uploadId, grant.Epoch, status.Size, status.ChunkSize, status.CommittedOffset,
                grant.Parts, grant.StoreUploadId, status.PlanSize, grant.SentPartNumber), CancellationToken.None);
        }
        catch (IOException e)
        {
            upload.Leave(generation, committed: -1);
            throw new UploadRefusedException(StoreRefusal(uploadId, status.CommittedOffset, e));
        }
        var timing = CommitTimingPolicy.For(holdsCommits, acknowledgesEachCommit: onCommitted is not null, startedWithItsBody, status.LengthDeferred,
            status.Size, status.ChunkSize, file.KeepsBytesUntilCommitted);
        return new StagingWriter(grain, NodeId, upload, generation, grant, file, store, pool, metrics, clock,
            streamOffset ?? status.CommittedOffset, onCommitted, timing);
    }

    /// <summary>Tells the session this node is about to write or complete it: the fencing epoch, settled status and segments;
    /// a finished or refused session is thrown as its refusal.</summary>
    internal async Task<WritingGrant> BeginWritingAsync(IUploadSessionGrain grain)
    {
        var grant = await grain.BeginWriting(NodeId);
        if (grant.Refusal is { } refusal) throw new UploadRefusedException(refusal);
        if (grant.Status!.State.IsFinal()) throw new UploadRefusedException(UploadSessionHandle.RefusalFor(grant.Status));
        return grant;
    }

    /// <summary>Makes the committed bytes of <paramref name="target"/> (all of them) ready to be stored by its epoch and returns
    /// their SHA-256: the store assembles them into one object (joins several epochs' files; completes the S3 multipart upload;
    /// commits the Azure block list), and the running hash is used when this node received every byte in order in that
    /// epoch, else the assembled bytes are read back and hashed.</summary>
    internal async Task<string> PrepareToStoreAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        var upload = staged.Get(target.UploadId);
        await upload.Joining.WaitAsync(cancellationToken);
        try
        {
            await store.AssembleAsync(target, cancellationToken);
            if (target.Size == 0) return UploadRequestValidation.EmptySha256;
            if (upload.TryGetSha256(target.Epoch, target.Size) is { } running) return running;
            await using var assembled = await store.OpenAssembledAsync(target, cancellationToken);
            return await HashAsync(target, assembled, cancellationToken);
        }
        catch (IOException e)
        {
            throw new UploadRefusedException(StoreRefusal(target.UploadId, target.Committed, e));
        }
        finally
        {
            upload.Joining.Release();
        }
    }

    /// <summary>Reads the assembled bytes through a pooled buffer and hashes them.</summary>
    private async Task<string> HashAsync(StagingTarget target, Stream assembled, CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var buffer = await pool.RentAsync(cancellationToken)
            ?? throw new UploadRefusedException(new UploadRefusal(RefusalReason.BuffersExhausted, "This node has no free chunk buffer to verify the upload; retry shortly."));
        long position = 0;
        while (true)
        {
            var read = await assembled.ReadAsync(buffer.Memory, cancellationToken);
            if (read == 0) break;
            hash.AppendData(buffer.Memory.Span[..read]);
            position += read;
        }
        if (position != target.Size)
            throw new UploadRefusedException(new UploadRefusal(RefusalReason.StorageFailure,
                $"The stored bytes of upload {target.UploadId} end at {position}, not at {target.Size}."));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A store that fails is the server's fault, and retryable: the committed bytes stay.</summary>
    private static UploadRefusal StoreRefusal(string uploadId, long committed, IOException e) => new(RefusalReason.StorageFailure,
        $"The store could not take upload {uploadId} now ({e.Message}); its {committed} committed bytes are kept: retry shortly.",
        ExpectedOffset: committed);

    internal void Forget(string uploadId) => staged.Forget(uploadId);
}
