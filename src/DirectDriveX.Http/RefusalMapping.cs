using System.Net.WebSockets;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http;

/// <summary>The one place where a refusal becomes an HTTP status and a WebSocket close code. Stored files answer from the same
/// table: a file that does not exist (never stored, deleted, past <c>Files:Retention</c>) is <see cref="RefusalReason.NotFound"/>
/// 404 on every route; a delete with no credentials is <see cref="RefusalReason.Unauthenticated"/> 401, with a key or token
/// that is not the uploader's <see cref="RefusalReason.Unauthorized"/> 403.</summary>
public static class RefusalMapping
{
    /// <summary>1013 Try Again Later (RFC 6455 registry); not in <see cref="WebSocketCloseStatus"/>.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    public static int HttpStatus(RefusalReason reason) => reason switch
    {
        RefusalReason.InsufficientHeadroom or RefusalReason.BuffersExhausted or RefusalReason.NodeUnavailable => StatusCodes.Status503ServiceUnavailable,
        RefusalReason.FileTooLarge or RefusalReason.ChunkTooLarge or RefusalReason.PastDeclaredSize => StatusCodes.Status413PayloadTooLarge,
        RefusalReason.InvalidRequest => StatusCodes.Status400BadRequest,
        RefusalReason.OffsetMismatch or RefusalReason.InvalidState or RefusalReason.Incomplete => StatusCodes.Status409Conflict,
        RefusalReason.NotFound => StatusCodes.Status404NotFound,
        RefusalReason.Unauthorized or RefusalReason.ReadOnly => StatusCodes.Status403Forbidden,
        RefusalReason.Aborted or RefusalReason.Expired => StatusCodes.Status410Gone,
        RefusalReason.HashMismatch => StatusCodes.Status422UnprocessableEntity,
        RefusalReason.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        RefusalReason.InsufficientStorage => StatusCodes.Status507InsufficientStorage,
        RefusalReason.TooManyUploads or RefusalReason.QuotaExceeded => StatusCodes.Status429TooManyRequests,
        RefusalReason.Unauthenticated => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>tus 1.0.0's checksum extension: the body does not match its <c>Upload-Checksum</c>.</summary>
    public const int TusChecksumMismatch = 460;

    /// <summary>The status of a refusal on the tus endpoint: as <see cref="HttpStatus"/>, except that a hash mismatch there can
    /// only be a request's <c>Upload-Checksum</c> (tus has no whole-file hash), which the checksum extension answers 460.
    /// Expired and aborted (terminated) uploads are 410, unknown ones 404, an offset that is not the upload's 409, too large 413,
    /// no headroom 503 with Retry-After (tus-js-client retries 5xx, never 4xx other than 409/423).</summary>
    public static int TusHttpStatus(RefusalReason reason) => reason switch
    {
        RefusalReason.HashMismatch => TusChecksumMismatch,
        _ => HttpStatus(reason),
    };

    public static WebSocketCloseStatus CloseStatus(RefusalReason reason) => reason switch
    {
        RefusalReason.InsufficientHeadroom or RefusalReason.BuffersExhausted or RefusalReason.NodeUnavailable
            or RefusalReason.InsufficientStorage or RefusalReason.TooManyUploads => TryAgainLater,
        RefusalReason.FileTooLarge or RefusalReason.ChunkTooLarge or RefusalReason.PastDeclaredSize => WebSocketCloseStatus.MessageTooBig,
        RefusalReason.HashMismatch => WebSocketCloseStatus.InvalidPayloadData,
        RefusalReason.StorageFailure or RefusalReason.ServerFault => WebSocketCloseStatus.InternalServerError,
        _ => WebSocketCloseStatus.PolicyViolation, // QuotaExceeded, Unauthenticated among them: 1008
    };

    /// <summary>Whether a client may simply try the same thing again later.</summary>
    public static bool IsRetryable(RefusalReason reason) =>
        reason is RefusalReason.InsufficientHeadroom or RefusalReason.BuffersExhausted or RefusalReason.StorageFailure or RefusalReason.ServerFault
            or RefusalReason.NodeUnavailable or RefusalReason.InsufficientStorage or RefusalReason.TooManyUploads;

    /// <summary>How long a client should wait before it retries, or null when retrying the same request cannot help: the
    /// configured <paramref name="retryAfter"/> for a retryable refusal; until the quota resets for a daily quota.</summary>
    public static TimeSpan? RetryAfter(UploadRefusal refusal, TimeSpan retryAfter, DateTimeOffset now) => refusal switch
    {
        { Reason: RefusalReason.QuotaExceeded, Quota.ResetsAt: { } resetsAt } => resetsAt > now ? resetsAt - now : TimeSpan.FromSeconds(1),
        _ when IsRetryable(refusal.Reason) => retryAfter,
        _ => null,
    };
}
