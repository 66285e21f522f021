namespace DirectDriveX.Grains.Interfaces;

/// <summary>A stored file's record, keyed by file id (the id of the upload that made it). The bytes are in the shared file
/// store, read by whichever process serves the download.</summary>
public interface IStoredFileGrain : IGrainWithStringKey
{
    /// <summary>Kept by the upload session when it completes.</summary>
    Task Register(StoredFileRecord record);

    /// <summary>Null when no such file exists.</summary>
    Task<StoredFileRecord?> GetRecord();
}
