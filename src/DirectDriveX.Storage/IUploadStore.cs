using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage;

/// <summary>
/// Where upload bytes go and stored files live: a directory (<see cref="FileSystem.FileSystemUploadStore"/>), S3-compatible
/// object storage or Azure Blob Storage. One upload's life through it: a staging file per writer
/// (<see cref="OpenStagingAsync"/>) whose commits return the parts the session grain records; at completion the committed
/// parts are assembled into one object (<see cref="AssembleAsync"/>), hashed if the writer could not (<see cref="OpenAssembledAsync"/>),
/// and published with their record (<see cref="PublishAsync"/>): a file exists once its record does. Everything is addressed
/// by upload or file id (validated, never a client-supplied name). Every operation that touches a disk or the network is
/// asynchronous and none blocks its caller, but <see cref="AvailableBytes"/>: one statvfs, which the node's resource sampler
/// reads on a thread-pool thread, never a grain.
/// </summary>
public interface IUploadStore
{
    StoreKind Kind { get; }

    /// <summary>Free bytes the store can still take, or null when it cannot say (object storage has no fill level to read).
    /// Synchronous (a statvfs): call it off grain turns.</summary>
    long? AvailableBytes();

    /// <summary>Reaches the store as an upload would, once its preparation is done (a bucket or container created where
    /// configured): throws an <see cref="IOException"/> saying why when it cannot. A node runs it as it starts.</summary>
    Task CheckAsync(CancellationToken cancellationToken);

    /// <summary>Opens the staging file of a writer of <paramref name="target"/>'s epoch, ready to take the bytes from the committed
    /// offset on. One per writer (or per completion); dispose it.</summary>
    Task<IStagingFile> OpenStagingAsync(StagingTarget target, CancellationToken cancellationToken);

    /// <summary>Where the parts a writer's staging reads (<see cref="OpenStagingAsync"/>'s <see cref="StagingTarget.Parts"/>) begin in
    /// <paramref name="parts"/>, the last of the upload's committed parts (all of them, or a tail): the index of the first it
    /// reads, <paramref name="parts"/>' count when it reads none of them, or -1 when it reads a part before them. A writer is
    /// granted the parts from there on (and at least the parts a later commit may still replace), not every part
    /// (<see cref="WritingGrant.PartsFrom"/>). The file system reads the last part (the epoch file it continues), S3 the last
    /// numbered part (it numbers past it) and the staged pieces after it (the part being filled), Azure none; a store that does
    /// not say is taken to read every part.</summary>
    int PartsForStaging(IReadOnlyList<StagedPart> parts) => -1;

    /// <summary>Reads committed bytes from <paramref name="offset"/> where the store can read them before they are assembled;
    /// returns the bytes read: fewer (down to 0) where it cannot (an S3 part or Azure block is not readable on its own).</summary>
    Task<int> ReadStagedAsync(string uploadId, IReadOnlyList<StagedPart> parts, long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Assembles the committed bytes [0, <paramref name="target"/>.Size) into the object that will be the stored file
    /// (not yet a file: it has no record). Idempotent: a second call for the same parts finds the work done.</summary>
    Task AssembleAsync(StagingTarget target, CancellationToken cancellationToken);

    /// <summary>The assembled bytes, read from the start (to hash them when the writer's running hash does not cover them).</summary>
    Task<Stream> OpenAssembledAsync(StagingTarget target, CancellationToken cancellationToken);

    /// <summary>Makes the assembled upload the stored file <paramref name="record"/> describes: the record is written (durably,
    /// whole or not at all) where readers look for it. The record in the store is the truth about a file; grain state is a cache.</summary>
    Task PublishAsync(StagingTarget target, StoredFileRecord record, CancellationToken cancellationToken);

    /// <summary>Makes durable what a writer of <paramref name="target"/>'s epoch left to the publishing
    /// (<see cref="IStagingFile.CommitForPublishingAsync"/>), for a completion that did not publish and records the range
    /// now. Nothing where commits are durable as they are made.</summary>
    Task FlushStagedAsync(StagingTarget target, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes what the upload staged and did not publish: staging files, staged objects and parts (an unfinished S3
    /// multipart upload is aborted, when the server allows it), and an assembled object when <paramref name="published"/> is
    /// false. Idempotent.</summary>
    Task DeleteStagingAsync(StagingRemains remains, bool published, CancellationToken cancellationToken);

    /// <summary>Every staged remnant this process can see (its own scratch, and the store's staged objects): what the sweep
    /// checks against sessions.</summary>
    IAsyncEnumerable<StagedFile> ListStagingAsync(CancellationToken cancellationToken);

    /// <summary>The record of a stored file, or null.</summary>
    Task<StoredFileRecord?> ReadRecordAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>A read-only, seekable stream over a stored file of <paramref name="length"/> bytes (from its record), for
    /// downloads with ranges; null when its bytes are absent.</summary>
    Task<Stream?> OpenStoredAsync(string fileId, long length, CancellationToken cancellationToken = default);

    /// <summary>A link a client can download a stored file from straight from the store, without this process in the way
    /// (an S3 presigned GET, an Azure Blob SAS): signed locally, valid for <see cref="StoredFileLink.ValidFor"/>, ranges and
    /// validators answered by the store. Null when this store cannot sign one: the file system, or an Azure connection
    /// without an account key.</summary>
    Task<Uri?> LinkToStoredAsync(StoredFileLink link, CancellationToken cancellationToken = default);

    /// <summary>Every stored file's record in the store (what the retention sweep checks), without reading the records.</summary>
    IAsyncEnumerable<StoredFileEntry> ListStoredAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a stored file: its record first (from then on it does not exist), then its bytes. False when there was none.</summary>
    Task<bool> DeleteStoredAsync(string fileId, CancellationToken cancellationToken = default);
}
