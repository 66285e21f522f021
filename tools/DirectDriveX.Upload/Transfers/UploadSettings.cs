namespace DirectDriveX.Upload.Transfers;

/// <summary>How a transfer behaves: content type, timeouts, reconnects, and the test aid that cuts the connection once.</summary>
internal sealed record UploadSettings(
    string? ContentType,
    ReconnectPolicy Reconnect,
    TimeSpan AckTimeout,
    TimeSpan CompleteTimeout,
    long? SimulateDropAt)
{
    /// <summary>Test aid: a multipart body stops before byte <c>Offset</c> until <c>Until</c> completes (a slow client).</summary>
    public (long Offset, Task Until)? PauseAt { get; init; }
}
