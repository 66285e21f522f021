namespace DirectDriveX.Grains.Storage;

/// <summary>
/// Where upload bytes go: a staging area written at offsets while a session receives, and the store of completed files.
/// Everything is addressed by upload or file id (validated, never a client-supplied name), so no request can reach a path.
/// </summary>
public interface IFileStore
{
    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> of the upload's staging file (created on first write),
    /// durable when <see cref="FileStoreOptions.FlushToDisk"/> is set.</summary>
    Task WriteStagingAsync(string uploadId, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Reads from the staging file; returns the bytes read (fewer only at its end).</summary>
    Task<int> ReadStagingAsync(string uploadId, long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>The staging file's length; 0 when there is none.</summary>
    long GetStagingLength(string uploadId);

    /// <summary>Cuts the staging file back to <paramref name="length"/> bytes (bytes written but never acknowledged).</summary>
    void TruncateStaging(string uploadId, long length);

    /// <summary>Deletes the staging file, if any.</summary>
    void DeleteStaging(string uploadId);

    /// <summary>Moves the staging file into the store as <paramref name="fileId"/>, atomically.</summary>
    void Promote(string uploadId, string fileId);

    /// <summary>The stored file's length, or null when there is no such file.</summary>
    long? GetStoredLength(string fileId);

    /// <summary>Reads from a stored file; returns the bytes read (fewer only at its end).</summary>
    Task<int> ReadStoredAsync(string fileId, long offset, Memory<byte> buffer, CancellationToken cancellationToken);
}
