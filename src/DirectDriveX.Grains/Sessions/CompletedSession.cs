using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// A completed upload's session as its stored file's record answers for it (issue 19): a one-request upload's session
/// (started with its bytes, <see cref="UploadRequest.BodyFollows"/>, and completed by that request) keeps no record of its
/// own, since the store's record, published and made durable before the upload's 201, holds what its later status and
/// resume calls ask: its name, size, type and hash, its client, its tus metadata and its resume token's hash. That record
/// answers for the session as long as a session's record would have lived (<see cref="UploadOptions.SessionRecordLifetime"/>
/// from the file's creation) and the file is stored; after either, the upload is unknown, as an expired session is.
/// </summary>
public static class CompletedSession
{
    /// <summary>Whether a session that ends as <paramref name="final"/> leaves its record to the store's: a completion whose
    /// start was never written (the session was never recorded, so no record must be ended) and which is no tus partial
    /// upload (a final upload's concatenation reads its partials' sessions).</summary>
    public static bool RecordedByStore(UploadSessionState final, bool startUnwritten) =>
        startUnwritten && final.State == UploadState.Completed && final.TusConcat is null;

    /// <summary>The session <paramref name="record"/> answers for at <paramref name="now"/>; null when it answers for none: a
    /// record without the resume token's hash (its session kept a record of its own, or it was written before records
    /// answered for sessions), or one older than <paramref name="lifetime"/>.</summary>
    public static UploadSessionState? Of(StoredFileRecord record, DateTimeOffset now, TimeSpan lifetime)
    {
        if (record.ResumeTokenSha256 is not { } tokenHash || now - record.CreatedAt >= lifetime) return null;
        return new UploadSessionState
        {
            State = UploadState.Completed,
            FileName = record.FileName,
            Size = record.Size,
            ContentType = record.ContentType,
            ExpectedSha256 = record.Sha256,
            ResumeTokenHash = Convert.FromHexString(tokenHash),
            NodeName = record.StoredByNode,
            CommittedOffset = record.Size,
            CreatedAt = record.CreatedAt,
            LastActivityAt = record.CreatedAt,
            File = record,
            ClientId = record.UploadedBy,
            TusMetadata = record.TusMetadata,
        };
    }
}
