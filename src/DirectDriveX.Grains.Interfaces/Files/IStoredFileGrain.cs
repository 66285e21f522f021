namespace DirectDriveX.Grains.Interfaces;

/// <summary>A stored file's record, keyed by file id (the id of the upload that made it). The bytes are in the store, read by
/// whichever process serves the download.</summary>
public interface IStoredFileGrain : IGrainWithStringKey
{
    /// <summary>Null when no such file exists: never stored, deleted, or past <c>Files:Retention</c> (then it is deleted now).</summary>
    Task<StoredFileRecord?> GetRecord();

    /// <summary>Deletes the file from the store (its record first, then its bytes) and forgets it; the caller has authorised it
    /// (<see cref="FileLifecycle.AuthorizeDelete"/>, or a tus upload URL). False when there was no such file. Idempotent.</summary>
    Task<bool> Delete();
}
