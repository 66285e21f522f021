using Orleans.Concurrency;

namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// The shared file store's free space, promised to uploads: one per cluster (key 0). A session asks for its declared size
/// before it reserves memory, and gives it back on every way out, so two uploads never count on the same free bytes.
/// </summary>
public interface IStoreSpaceGrain : IGrainWithIntegerKey
{
    /// <summary>Promises <paramref name="bytes"/> to <paramref name="uploadId"/>, or refuses with
    /// <see cref="RefusalReason.InsufficientStorage"/>. Idempotent for an upload that holds a promise.</summary>
    Task<UploadRefusal?> TryPromise(string uploadId, long bytes);

    /// <summary>Gives the upload's promise back. Idempotent. Interleaves with a promise that is asking sessions whether they
    /// still hold theirs, so that a session ending meanwhile (which waits for this call before it answers) is not kept waiting.</summary>
    [AlwaysInterleave]
    Task Release(string uploadId);
}
