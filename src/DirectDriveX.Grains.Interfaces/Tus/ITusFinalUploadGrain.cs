namespace DirectDriveX.Grains.Interfaces;

/// <summary>A tus final upload created before its partial uploads were complete (<see cref="TusFinalUpload"/>), keyed by the
/// id its URL carries; the URL's token authorises it as a resume token authorises a session. Its record expires like a
/// session's (<c>Uploads:SessionRecordLifetime</c> after its last change).</summary>
public interface ITusFinalUploadGrain : IGrainWithStringKey
{
    /// <summary>Records the final upload and the hash of its token; false when this id already holds one.</summary>
    Task<bool> Create(TusFinalUpload upload, string token);

    /// <summary>The final upload, when <paramref name="token"/> is its token and it was not terminated.</summary>
    Task<TusFinalOpening> Open(string? token);

    /// <summary>The final upload for the node that concatenates it (no token: inside the cluster), or null when there is none
    /// or it was terminated.</summary>
    Task<TusFinalUpload?> Get();

    /// <summary>Terminated (tus DELETE): from now on it answers <see cref="RefusalReason.Aborted"/>. Idempotent.</summary>
    Task Terminate();
}
