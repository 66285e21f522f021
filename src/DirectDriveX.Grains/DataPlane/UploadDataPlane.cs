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
        var epoch = await upload.TakeOverAsync(TakeOverDrainTimeout);
        var status = await grain.GetState(); // settled now that the previous writer's commits have landed
        if (status.State.IsFinal())
        {
            upload.Leave(epoch, status.CommittedOffset);
            throw new UploadRefusedException(UploadSessionHandle.RefusalFor(status));
        }
        return new StagingWriter(grain, NodeId, upload, epoch, store, pool, metrics, clock, status, streamOffset ?? status.CommittedOffset, onCommitted);
    }

    /// <summary>The SHA-256 of the staged bytes: the running hash when it covers them exactly, else read back through a pooled buffer.</summary>
    internal async Task<string> Sha256Async(string uploadId, long size, CancellationToken cancellationToken)
    {
        if (staged.Get(uploadId).TryGetSha256(size) is { } running) return running;
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var buffer = await pool.RentAsync(Math.Min(pool.LargestBufferSize, 8 * 1024 * 1024), cancellationToken)
            ?? throw new UploadRefusedException(new UploadRefusal(RefusalReason.BuffersExhausted, "This node has no free chunk buffer to verify the upload; retry shortly."));
        for (long position = 0; position < size;)
        {
            var read = await store.ReadStagingAsync(uploadId, position, buffer.Memory[..(int)Math.Min(buffer.Length, size - position)], cancellationToken);
            if (read == 0)
                throw new UploadRefusedException(new UploadRefusal(RefusalReason.StorageFailure, $"The staged bytes of upload {uploadId} end at {position}, before {size}."));
            hash.AppendData(buffer.Memory.Span[..read]);
            position += read;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal void Forget(string uploadId) => staged.Forget(uploadId);
}
