namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// One client's live sessions and daily bytes, cluster-wide: keyed by <see cref="UploadClient.ClientId"/>, so every gateway
/// and node that starts an upload for the client counts against the same figures. A session is admitted here before it
/// reserves any memory, and released on every way out of the session.
/// </summary>
public interface IUploadClientGrain : IGrainWithStringKey
{
    /// <summary>Counts upload <paramref name="uploadId"/> of <paramref name="size"/> bytes against <paramref name="limits"/>,
    /// or refuses with <see cref="RefusalReason.TooManyUploads"/>, <see cref="RefusalReason.QuotaExceeded"/> or
    /// <see cref="RefusalReason.FileTooLarge"/>. Idempotent for an upload already counted.</summary>
    Task<UploadRefusal?> TryAdmit(string uploadId, long size, ClientLimits limits);

    /// <summary>As <see cref="TryAdmit"/>, answered once the count has changed (or refused), its write started but not waited
    /// for: the caller confirms it with <see cref="Counts"/> before it tells anyone of the upload (issue 19: a one-request
    /// upload's start no longer waits for the client's write).</summary>
    Task<UploadRefusal?> TryAdmitWritingBehind(string uploadId, long size, ClientLimits limits);

    /// <summary>Whether <paramref name="uploadId"/> is counted (live or parked), answered once its count is durable: a write
    /// that started after the count changed has landed (written again, should the last write have failed).</summary>
    Task<bool> Counts(string uploadId);

    /// <summary>Ends the count of <paramref name="uploadId"/>: its live slot is freed, and the declared bytes it never received
    /// (<paramref name="receivedBytes"/> of them were) are given back to today's quota. Idempotent.</summary>
    Task Release(string uploadId, long receivedBytes);

    /// <summary>Upload <paramref name="uploadId"/>, admitted without its length, declares it: its <paramref name="size"/> bytes are
    /// counted against the day now, or refused (<see cref="RefusalReason.QuotaExceeded"/>, <see cref="RefusalReason.FileTooLarge"/>).
    /// Idempotent for the same size.</summary>
    Task<UploadRefusal?> TryDeclare(string uploadId, long size, ClientLimits limits);

    /// <summary>Upload <paramref name="uploadId"/> is parked (idle past its lease, its bytes kept): its live slot is freed, and
    /// its declared bytes stay counted for their day. Idempotent.</summary>
    Task Park(string uploadId);

    /// <summary>Parked upload <paramref name="uploadId"/> resumes: it is counted live again, or refused
    /// <see cref="RefusalReason.TooManyUploads"/> while the client holds as many live uploads as <paramref name="limits"/> allow.
    /// Its bytes are not counted again. Idempotent for an upload already live.</summary>
    Task<UploadRefusal?> TryResume(string uploadId, ClientLimits limits);

    Task<ClientUsage> GetState();
}
