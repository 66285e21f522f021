using System.Security.Cryptography;
using System.Text;

namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// Who may delete a stored file, and when one expires; pure. A file is its uploader's to delete: the API key that created it
/// (<see cref="StoredFileRecord.UploadedBy"/> <c>key:{name}</c>), or, for a client without a key, the delete token it was
/// given once when the upload completed (only the token's SHA-256 is kept, in the record). A client's address never
/// authorises anything: many clients share one. A file past <c>Files:Retention</c> (from its creation) no longer exists.
/// </summary>
public static class FileLifecycle
{
    private const string KeyClientPrefix = "key:";

    /// <summary>Whether an upload of <paramref name="clientId"/> is given a delete token at completion: a client without an API
    /// key (counted by its address). Uploads started inside the cluster (no client) are given none.</summary>
    public static bool GetsDeleteToken(string? clientId) => clientId is not null && !clientId.StartsWith(KeyClientPrefix, StringComparison.Ordinal);

    /// <summary>A new delete token and the SHA-256 (hex) the record keeps of it.</summary>
    public static (string Token, string Sha256) NewDeleteToken()
    {
        var token = UploadIds.NewResumeToken();
        return (token, Sha256Of(token));
    }

    /// <summary>The refusal for a request to delete <paramref name="record"/> presenting the API key of
    /// <paramref name="keyClientId"/> (null: no key) and <paramref name="deleteToken"/> (null: none), or null when it is the
    /// uploader's: 401 <see cref="RefusalReason.Unauthenticated"/> when nothing was presented, 403
    /// <see cref="RefusalReason.Unauthorized"/> when what was presented is not the uploader's.</summary>
    public static UploadRefusal? AuthorizeDelete(StoredFileRecord record, string? keyClientId, string? deleteToken)
    {
        if (keyClientId is not null && keyClientId.StartsWith(KeyClientPrefix, StringComparison.Ordinal) && keyClientId == record.UploadedBy)
            return null;
        if (!string.IsNullOrEmpty(deleteToken) && record.DeleteTokenSha256 is { Length: 64 } kept
            && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(kept), SHA256.HashData(Encoding.UTF8.GetBytes(deleteToken))))
            return null;
        if (keyClientId is null && string.IsNullOrEmpty(deleteToken))
            return new UploadRefusal(RefusalReason.Unauthenticated,
                $"Deleting file {record.FileId} needs the API key that uploaded it, or the deleteToken its upload was given.");
        return new UploadRefusal(RefusalReason.Unauthorized,
            $"The API key or delete token presented is not that of file {record.FileId}'s uploader.");
    }

    /// <summary>Whether a file created at <paramref name="createdAt"/> is past <paramref name="retention"/> (null: kept) at
    /// <paramref name="now"/>.</summary>
    public static bool IsExpired(DateTimeOffset createdAt, TimeSpan? retention, DateTimeOffset now) =>
        retention is { } keep && now - createdAt >= keep;

    private static string Sha256Of(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
