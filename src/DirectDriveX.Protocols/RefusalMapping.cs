using System.Net.WebSockets;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Protocols;

/// <summary>The one place where a refusal becomes an HTTP status and a WebSocket close code.</summary>
public static class RefusalMapping
{
    /// <summary>1013 Try Again Later (RFC 6455 registry); not in <see cref="WebSocketCloseStatus"/>.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    public static int HttpStatus(RefusalReason reason) => reason switch
    {
        RefusalReason.InsufficientHeadroom or RefusalReason.BuffersExhausted or RefusalReason.NodeUnavailable => StatusCodes.Status503ServiceUnavailable,
        RefusalReason.FileTooLarge or RefusalReason.ChunkTooLarge => StatusCodes.Status413PayloadTooLarge,
        RefusalReason.InvalidRequest => StatusCodes.Status400BadRequest,
        RefusalReason.OffsetMismatch or RefusalReason.InvalidState or RefusalReason.Incomplete => StatusCodes.Status409Conflict,
        RefusalReason.NotFound => StatusCodes.Status404NotFound,
        RefusalReason.Unauthorized => StatusCodes.Status403Forbidden,
        RefusalReason.Aborted or RefusalReason.Expired => StatusCodes.Status410Gone,
        RefusalReason.HashMismatch => StatusCodes.Status422UnprocessableEntity,
        RefusalReason.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        RefusalReason.InsufficientStorage => StatusCodes.Status507InsufficientStorage,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static WebSocketCloseStatus CloseStatus(RefusalReason reason) => reason switch
    {
        RefusalReason.InsufficientHeadroom or RefusalReason.BuffersExhausted or RefusalReason.NodeUnavailable
            or RefusalReason.InsufficientStorage => TryAgainLater,
        RefusalReason.FileTooLarge or RefusalReason.ChunkTooLarge => WebSocketCloseStatus.MessageTooBig,
        RefusalReason.HashMismatch => WebSocketCloseStatus.InvalidPayloadData,
        RefusalReason.StorageFailure => WebSocketCloseStatus.InternalServerError,
        _ => WebSocketCloseStatus.PolicyViolation,
    };

    /// <summary>Whether a client may simply try the same thing again later.</summary>
    public static bool IsRetryable(RefusalReason reason) =>
        reason is RefusalReason.InsufficientHeadroom or RefusalReason.BuffersExhausted or RefusalReason.StorageFailure
            or RefusalReason.NodeUnavailable or RefusalReason.InsufficientStorage;
}
