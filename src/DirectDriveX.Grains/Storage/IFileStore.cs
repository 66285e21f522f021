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

    /// <summary>Opens the upload's staging file for writing at offsets (created when missing). One per writer; dispose it.</summary>
    IStagingFile OpenStaging(string uploadId);

    /// <summary>Reads from the staging file; returns the bytes read (fewer only at its end).</summary>
    Task<int> ReadStagingAsync(string uploadId, long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>The staging file's length; 0 when there is none.</summary>
    long GetStagingLength(string uploadId);

    /// <summary>Cuts the staging file back to <paramref name="length"/> bytes (bytes written but never acknowledged).</summary>
    Task TruncateStagingAsync(string uploadId, long length);

    /// <summary>Every staging file: its upload id and when it was last written.</summary>
    IEnumerable<(string UploadId, DateTimeOffset LastWrite)> ListStaging();

    /// <summary>Deletes the staging file, if any.</summary>
    Task DeleteStagingAsync(string uploadId);

    /// <summary>Stores the completed upload as <paramref name="record"/>'s file: the record is written beside the bytes
    /// (durably, whole or not at all), then the staging file is moved into the store, atomically. The record in the store
    /// is the truth about a file; grain state is a cache of it.</summary>
    Task PromoteAsync(string uploadId, StoredFileRecord record);

    /// <summary>The record of a stored file whose bytes are in the store, or null.</summary>
    Task<StoredFileRecord?> ReadRecordAsync(string fileId);

    /// <summary>A read-only, seekable stream over a stored file (small buffer), for downloads with ranges; null when absent.</summary>
    Stream? OpenStored(string fileId);
}
