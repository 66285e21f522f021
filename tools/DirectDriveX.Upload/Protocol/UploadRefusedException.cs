namespace DirectDriveX.Upload.Protocol;

/// <summary>The gateway said no, in words: an HTTP error (problem+json) or a WebSocket error message and close status.</summary>
internal sealed class UploadRefusedException(string message, int? httpStatus = null, int? closeStatus = null) : Exception(message)
{
    public int? HttpStatus { get; } = httpStatus;
    public int? CloseStatus { get; } = closeStatus;
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The problem+json answer, when there was one (a draining node's names the upload it started and its offset).</summary>
    public System.Text.Json.JsonElement? Problem { get; init; }

    /// <summary>1013 (try again later), 1012 (the node restarts) or 1001 (the gateway goes away), HTTP 503, or a 429 that
    /// asks for a short wait (too many live uploads; not a daily quota, which says to wait until midnight): worth another
    /// attempt after a pause.</summary>
    public bool IsTransient => CloseStatus is 1013 or 1012 or 1001 || HttpStatus == 503
        || (HttpStatus == 429 && RetryAfter is { } wait && wait <= TimeSpan.FromMinutes(1));
}
