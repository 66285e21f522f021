namespace DirectDriveX.Gateway.Hosting;

/// <summary>Configuration section <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Localhost (default) or External; Redis is chosen whenever ConnectionStrings:Redis is set. Embedded is set by
    /// the embedded host, never by a gateway process.</summary>
    public ClusterMode Mode { get; set; } = ClusterMode.Localhost;

    /// <summary>Localhost mode: the silos' gateway ports on 127.0.0.1. Default 30000.</summary>
    public int[] LocalhostGatewayPorts { get; set; } = [30000];

    /// <summary>How old a node snapshot may be before routing refreshes it. Default 1 s.</summary>
    public TimeSpan SnapshotMaxAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one silo may take to answer for its snapshot before it is dropped from the view. Default 2 s.</summary>
    public TimeSpan SnapshotTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A forwarded request whose body declares at most this many bytes (Content-Length) goes over the gateway's
    /// pooled connections to its node; a longer or unbounded body gets a connection of its own that lets the node's early
    /// answer through while the client still sends (<c>EarlyAnswerConnection</c>). 0: every body its own connection.
    /// Default 1 MiB.</summary>
    public long SharedConnectionBodyLimit { get; set; } = 1024 * 1024;

    /// <summary>Legacy drop-in protocol: file extensions refused at initiate (lowercase, with the dot).</summary>
    public string[] BlockedExtensions { get; set; } = [".exe", ".bat", ".cmd", ".com", ".scr", ".msi", ".ps1", ".vbs"];

    /// <summary>Legacy drop-in protocol: MIME types refused at initiate.</summary>
    public string[] BlockedContentTypes { get; set; } = ["application/x-msdownload", "application/x-msdos-program"];
}
