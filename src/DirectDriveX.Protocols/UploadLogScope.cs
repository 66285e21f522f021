using Microsoft.Extensions.Logging;

namespace DirectDriveX.Protocols;

/// <summary>The log scope of one upload connection: its upload id and this node, readable on the console
/// (<c>=> Upload Pf9F… on silo-2</c>) and as fields in the JSON formatter.</summary>
public static class UploadLogScope
{
    public static IDisposable? Begin(ILogger logger, string uploadId, string node) =>
        logger.BeginScope("Upload {UploadId} on {Node}", uploadId, node);
}
