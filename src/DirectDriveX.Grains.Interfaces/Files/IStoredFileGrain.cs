namespace DirectDriveX.Grains.Interfaces;

/// <summary>A stored file's record and its bytes, keyed by file id (the id of the upload that made it).
/// Any silo can serve any file: the file store is shared.</summary>
public interface IStoredFileGrain : IGrainWithStringKey
{
    /// <summary>Kept by the upload session when it completes.</summary>
    Task Register(StoredFileRecord record);

    /// <summary>Null when no such file exists.</summary>
    Task<StoredFileRecord?> GetRecord();

    /// <summary>Reads up to <paramref name="count"/> bytes (at most <see cref="MaxReadBytes"/>) from <paramref name="offset"/>.
    /// Returns fewer bytes only at the end of the file.</summary>
    Task<ReadOnlyMemory<byte>> Read(long offset, int count);

    public const int MaxReadBytes = 8 * 1024 * 1024;
}
