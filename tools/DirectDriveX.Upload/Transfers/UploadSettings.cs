namespace DirectDriveX.Upload.Transfers;

/// <summary>How a transfer behaves: content type, timeouts, reconnects, and the test aid that cuts the connection once.</summary>
internal sealed record UploadSettings(
    string? ContentType,
    ReconnectPolicy Reconnect,
    TimeSpan AckTimeout,
    TimeSpan CompleteTimeout,
    long? SimulateDropAt);
