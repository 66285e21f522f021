using DirectDriveX.Grains.Buffers;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.DataPlane;

/// <summary>
/// This node's data plane: opens an upload for a protocol adapter (authorised by its session grain, which must be active on
/// this node) and gives it an <see cref="UploadSessionHandle"/>, through which the bytes go to this node's pool and disk.
/// </summary>
public sealed class UploadDataPlane(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    ChunkBufferPool pool,
    IFileStore store,
    StagedUploads staged,
    UploadMetrics metrics,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<DirectDriveX.Grains.Budget.MemoryBudgetOptions> budget)
{
    /// <summary>How long a new connection waits for the commits of the connection it takes over to land.</summary>
    public static readonly TimeSpan TakeOverDrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>This node's id (its silo address, the key of its budget grain).</summary>
    public string NodeId { get; } = MemoryBudgetKey.For(silo.SiloAddress);

    public string NodeName => silo.Name;

    /// <summary>How long a session may go without a commit before it expires (<c>MemoryBudget:LeaseTimeout</c>).</summary>
    public TimeSpan LeaseTimeout => budget.Value.LeaseTimeout;

    /// <summary>A stored file's bytes from the shared file store (a seekable stream with a small buffer), or null when absent:
    /// what an adapter copies from when one upload is made of others (tus concatenation).</summary>
    public Stream? OpenStoredFile(string fileId) => UploadIds.IsWellFormed(fileId) ? store.OpenStored(fileId) : null;

    /// <summary>Opens upload <paramref name="uploadId"/> with its resume token (not needed when <paramref name="requireToken"/>
    /// is false: the legacy client's file id is its only secret). Refused when the id is unknown, the token wrong, or the
    /// session lives on another node (the gateway routes a reconnect to where it lives).</summary>
    public async Task<(UploadSessionHandle? Handle, UploadRefusal? Refusal)> OpenAsync(string uploadId, string? token, bool requireToken)
    {
        if (!UploadIds.IsWellFormed(uploadId)) return (null, new UploadRefusal(RefusalReason.NotFound, $"No upload {uploadId}."));
        var grain = grains.GetGrain<IUploadSessionGrain>(uploadId);
        UploadOpening opening;
        try
        {
            opening = await grain.Open(token, requireToken);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return (null, new UploadRefusal(RefusalReason.NodeUnavailable, $"The session of upload {uploadId} cannot be reached now; retry shortly."));
        }
        if (!opening.Opened) return (null, opening.Refusal);
        var status = opening.Status!;
        if (!status.State.IsFinal() && status.HostNodeId != NodeId)
            return (null, new UploadRefusal(RefusalReason.NodeUnavailable,
                $"Upload {uploadId} is served by another node now; reconnect through the gateway."));
        return (new UploadSessionHandle(this, grain, status), null);
    }

    /// <summary>Starts a session on this node (a request whose bytes are already arriving here: multipart) and opens it.</summary>
    public async Task<(UploadSessionHandle? Handle, UploadRefusal? Refusal)> StartHereAsync(UploadRequest request)
    {
        var grain = grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
        UploadStartResult started;
        using (UploadPlacementHint.Target(silo.SiloAddress))
            started = await grain.Start(request);
        if (!started.Accepted) return (null, started.Refusal);
        var status = await grain.GetState();
        return (new UploadSessionHandle(this, grain, status) { ResumeToken = started.Session!.ResumeToken }, null);
    }

    internal async Task<StagingWriter> OpenWriterAsync(IUploadSessionGrain grain, string uploadId, long? streamOffset, Func<long, ValueTask>? onCommitted)
    {
        var upload = staged.Get(uploadId);
        var generation = await upload.TakeOverAsync(TakeOverDrainTimeout);
        WritingGrant grant;
        try
        {
            grant = await BeginWritingAsync(grain); // settled now that the previous writer's commits have landed
        }
        catch
        {
            upload.Leave(generation, committed: -1);
            throw;
        }
        if (!upload.Enter(generation, grant.Epoch))
            throw new UploadRefusedException(new UploadRefusal(RefusalReason.InvalidState, "Another connection has taken over this upload; this one ends."));
        var file = store.OpenSegment(uploadId, grant.Epoch, grant.SegmentStart);
        return new StagingWriter(grain, NodeId, upload, generation, grant, file, store, pool, metrics, clock,
            streamOffset ?? grant.Status!.CommittedOffset, onCommitted);
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

    /// <summary>Makes the staged bytes [0, <paramref name="size"/>) ready to be stored by epoch <paramref name="epoch"/> and returns
    /// their SHA-256. Bytes staged in one file: the running hash when it covers them exactly, else read back. Bytes staged by
    /// several epochs (the session moved or was reactivated): joined into one file of this epoch's, hashed as they are copied.</summary>
    internal async Task<string> PrepareToStoreAsync(string uploadId, int epoch, StagedSegment[] segments, long size, CancellationToken cancellationToken)
    {
        var spans = StagedLayout.Spans(segments, size);
        var upload = staged.Get(uploadId);
        if (StagedLayout.IsOneFile(spans))
        {
            if (spans.Count == 1 && upload.TryGetSha256(spans[0].Epoch, size) is { } running) return running;
            return await HashStagedAsync(uploadId, spans, size, joined: null, cancellationToken);
        }
        await upload.Joining.WaitAsync(cancellationToken);
        try
        {
            using var joined = store.OpenJoined(uploadId, epoch);
            var sha256 = await HashStagedAsync(uploadId, spans, size, joined, cancellationToken);
            await joined.FlushAsync(cancellationToken);
            return sha256;
        }
        finally
        {
            upload.Joining.Release();
        }
    }

    /// <summary>Reads the staged bytes through a pooled buffer and hashes them, copying them to <paramref name="joined"/> when given.</summary>
    private async Task<string> HashStagedAsync(string uploadId, IReadOnlyList<StagedLayout.Span> spans, long size, IStagingFile? joined,
        CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var buffer = await pool.RentAsync(Math.Min(pool.LargestBufferSize, 8 * 1024 * 1024), cancellationToken)
            ?? throw new UploadRefusedException(new UploadRefusal(RefusalReason.BuffersExhausted, "This node has no free chunk buffer to verify the upload; retry shortly."));
        for (long position = 0; position < size;)
        {
            var block = buffer.Memory[..(int)Math.Min(buffer.Length, size - position)];
            var read = await store.ReadStagedAsync(uploadId, spans, position, block, cancellationToken);
            if (read == 0)
                throw new UploadRefusedException(new UploadRefusal(RefusalReason.StorageFailure, $"The staged bytes of upload {uploadId} end at {position}, before {size}."));
            hash.AppendData(block.Span[..read]);
            if (joined is not null) await joined.WriteAsync(position, block[..read], cancellationToken);
            position += read;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal void Forget(string uploadId) => staged.Forget(uploadId);
}
