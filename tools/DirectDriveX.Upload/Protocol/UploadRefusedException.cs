namespace DirectDriveX.Upload.Protocol;

/// <summary>The gateway said no, in words: an HTTP error (problem+json) or a WebSocket error message and close status.</summary>
internal sealed class UploadRefusedException(string message, int? httpStatus = null, int? closeStatus = null) : Exception(message)
{
    public int? HttpStatus { get; } = httpStatus;
    public int? CloseStatus { get; } = closeStatus;
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>1013 (try again later) or HTTP 503: worth another attempt after a pause.</summary>
    public bool IsTransient => CloseStatus == 1013 || HttpStatus == 503;
}
