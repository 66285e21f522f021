using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// Where upload bytes go: a staging area written at offsets while a session receives, and the store of completed files.
/// Everything is addressed by upload or file id (validated, never a client-supplied name), so no request can reach a path.
/// Every operation that touches the disk is asynchronous (run off the caller's thread), so a grain turn never blocks on it.
/// </summary>
public interface IFileStore
{
    /// <summary>Free bytes of the file system the store is on.</summary>
    long AvailableBytes();

    /// <summary>Opens the staging file of <paramref name="epoch"/>'s writers of the upload, created when missing: it holds the
    /// upload's bytes from offset <paramref name="start"/> (its position 0), and is written at upload offsets. Each fencing
    /// epoch has a file of its own, so a writer of an earlier epoch can never touch the bytes a later one committed.
    /// One per writer; dispose it.</summary>
    IStagingFile OpenSegment(string uploadId, int epoch, long start);

    /// <summary>Reads committed staged bytes from <paramref name="offset"/>, across the segments' files as
    /// <paramref name="spans"/> places them; returns the bytes read (fewer only past the last span or where a file is short).</summary>
    Task<int> ReadStagedAsync(string uploadId, IReadOnlyList<StagedLayout.Span> spans, long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Opens the file into which <paramref name="epoch"/>'s data plane joins an upload's segments before it is stored
    /// (created when missing, never truncated: two joins write the same bytes at the same offsets).</summary>
    IStagingFile OpenJoined(string uploadId, int epoch);

    /// <summary>Every staging file: its upload id, epoch and when it was last written.</summary>
    IEnumerable<StagedFile> ListStaging();

    /// <summary>Deletes every staging file of the upload, of epochs up to <paramref name="lastEpoch"/>.</summary>
    Task DeleteStagingAsync(string uploadId, int lastEpoch);

    /// <summary>Stores the completed upload as <paramref name="record"/>'s file: the record is written beside the bytes
    /// (durably, whole or not at all), then the staged bytes are moved into the store, atomically: the one segment's file
    /// when <paramref name="spans"/> is one file from offset 0, else the file <paramref name="epoch"/> joined them into.
    /// The record in the store is the truth about a file; grain state is a cache of it.</summary>
    Task PromoteAsync(string uploadId, IReadOnlyList<StagedLayout.Span> spans, int epoch, StoredFileRecord record);

    /// <summary>The record of a stored file whose bytes are in the store, or null.</summary>
    Task<StoredFileRecord?> ReadRecordAsync(string fileId);

    /// <summary>A read-only, seekable stream over a stored file (small buffer), for downloads with ranges; null when absent.</summary>
    Stream? OpenStored(string fileId);
}
