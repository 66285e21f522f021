namespace DirectDriveX.Grains.Interfaces;

/// <summary>Where an upload stands.</summary>
/// <param name="LeaseNodeId">The node whose budget holds the upload's lease (<see cref="MemoryBudgetKey"/>); empty while it holds
/// none (parked).</param>
/// <param name="LeaseNodeName">That node's name.</param>
/// <param name="ActiveNodeId">The node the session is active on now: its data plane takes the upload's bytes. The lease follows
/// it at the next commit when it moved.</param>
/// <param name="MaxChunksInFlight">The window in chunks: a client keeps at most this many chunks sent and not acknowledged.</param>
/// <param name="TusMetadata">tus <c>Upload-Metadata</c> as sent at creation (<see cref="UploadRequest.TusMetadata"/>).</param>
/// <param name="TusConcat">tus <c>Upload-Concat</c> as sent at creation (<see cref="UploadRequest.TusConcat"/>).</param>
/// <param name="LengthDeferred">The length is not declared yet: <paramref name="Size"/> is the most the upload may become.</param>
/// <param name="PlanSize">The size an object store cut the upload into parts by, when it is not <paramref name="Size"/>: an
/// upload created without its length keeps the plan of the largest it might have been.</param>
[GenerateSerializer, Immutable]
public sealed record UploadStatus(
    [property: Id(0)] string UploadId,
    [property: Id(1)] UploadState State,
    [property: Id(2)] long CommittedOffset,
    [property: Id(3)] long Size,
    [property: Id(4)] long ReservedBytes,
    [property: Id(5)] int ChunkSize,
    [property: Id(6)] string? LeaseNodeId,
    [property: Id(7)] string? FileName,
    [property: Id(8)] string? ContentType,
    [property: Id(9)] string? FileId,
    [property: Id(10)] UploadRefusal? Failure,
    [property: Id(11)] DateTimeOffset? LastActivityAt,
    [property: Id(12)] string? LeaseNodeName = null,
    [property: Id(13)] string? ActiveNodeId = null,
    [property: Id(14)] int MaxChunksInFlight = 1,
    [property: Id(15)] string? TusMetadata = null,
    [property: Id(16)] string? TusConcat = null,
    [property: Id(17)] bool LengthDeferred = false,
    [property: Id(18)] long? PlanSize = null)
{
    /// <summary>The window in bytes: whole chunks, never more than the reservation.</summary>
    public long WindowBytes => (long)MaxChunksInFlight * ChunkSize;
}
