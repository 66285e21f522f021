using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage;

/// <summary>
/// An upload's staging file, open for one writer of one fencing epoch: bytes are written at their offsets as they arrive
/// (to the page cache or the node's scratch disk), then committed: made durable in the store, which says how it holds them.
/// </summary>
public interface IStagingFile : IAsyncDisposable
{
    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> (not yet durable). Offsets at or past the committed one.</summary>
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes the written bytes [<paramref name="from"/>, <paramref name="to"/>) durable in the store (fsync; an S3 part
    /// or staged object; an Azure block) and returns the parts that now hold them, for the session grain to record.
    /// <paramref name="from"/> is the committed offset; commits come in order.</summary>
    Task<StagedCommit> CommitAsync(long from, long to, CancellationToken cancellationToken);

    /// <summary>The upload's last range, committed for a completion that follows at once and records it with the file
    /// (issue 19): a store whose publishing makes the assembled bytes durable anyway leaves them to it, so that they are made
    /// durable beside the record rather than before it (the file system: the fsync of the file it moves runs with the
    /// record's, <see cref="IUploadStore.PublishAsync"/>); a completion that does not publish makes them durable before it
    /// records the range (<see cref="IUploadStore.FlushStagedAsync"/>). Other stores commit as <see cref="CommitAsync"/>.</summary>
    Task<StagedCommit> CommitForPublishingAsync(long from, long to, CancellationToken cancellationToken) => CommitAsync(from, to, cancellationToken);

    /// <summary>Whether written bytes wait on the node's scratch disk until a commit sends them to the store (an object store),
    /// so that a writer must not run ahead of its commits: it stops reading its socket while more than a chunk waits. A file
    /// system store writes them where they stay (the page cache of the final file), and a writer may run ahead.</summary>
    bool KeepsBytesUntilCommitted => false;

    /// <summary>Whether a commit may start while the one before is still running (their ranges follow each other; the session
    /// records them in order): a store whose commits are independent requests (Azure blocks), so one writer keeps two in flight.
    /// False where a commit depends on the one before (S3: a multipart upload is created by the first part; part numbers and a
    /// takeover's gap count on one commit in flight) and for the file system (an fsync).</summary>
    bool CommitsConcurrently => false;

    /// <summary>Gives up what was written at or past <paramref name="offset"/> and never recorded (a body held for its checksum
    /// that failed it, or whose writer was taken over or failed): a store that keeps it on the node's scratch disk deletes it
    /// there, so that the next writer's scratch does not start with it, and a store that created something for it no session
    /// knows of (an S3 multipart upload) removes that. Best effort: it does not throw for a store that cannot be reached.</summary>
    ValueTask DiscardAsync(long offset, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The highest number a commit of [<paramref name="from"/>, <paramref name="to"/>) gives a part in a space of numbers
    /// the upload's writers share (S3 part numbers), or 0 when it numbers none. A writer that sends parts it does not record yet
    /// (a body held for its checksum) has the session record this number before each send
    /// (<see cref="IUploadSessionGrain.CheckWriterSending"/>), and every later writer numbers past it, so a late part of a
    /// taken-over writer never lands on a number another writer records.</summary>
    int LastPartNumber(long from, long to) => 0;
}
