using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Http;

/// <summary>Configuration section <c>Protocol</c>: how the upload protocols behave on every process that serves them.</summary>
public sealed class ProtocolOptions
{
    public const string Section = "Protocol";

    /// <summary>How often an open upload socket checks that its session is still live, so a silent client whose session
    /// expired (or was aborted elsewhere) is told. Default 10 s.</summary>
    public TimeSpan SessionWatchInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The Retry-After sent with retryable refusals. Default 5 s.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After the last byte of an upload over WebSocket, how long the server still listens for data past the
    /// declared size before it sends <c>complete</c> (it completes the session meanwhile), so a client that sends more after
    /// the last acknowledgement is told <c>PastDeclaredSize</c>. Default 100 ms.</summary>
    public TimeSpan PastTheEndGrace { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest WebSocket text message accepted (legacy base64 frames carry 4 MiB chunks). Default 8 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxTextMessageBytes { get; set; } = 8 * 1024 * 1024;
}
