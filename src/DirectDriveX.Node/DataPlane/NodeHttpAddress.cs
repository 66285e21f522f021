namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// Where this node's data plane takes upload connections: its HTTP base address, set by the host once its server listens
/// (or from configuration), published in the node's budget snapshot so gateways can forward connections here.
/// </summary>
public sealed class NodeHttpAddress
{
    private volatile string? _url;

    /// <summary>The base address (scheme, host, port), or null before the host has said.</summary>
    public string? Url => _url;

    public void Set(string url) => _url = url.TrimEnd('/');
}
