namespace DirectDriveX.Node.Draining;

/// <summary>What a node's upload connections need from the host that serves them (the upload protocols' registry of open
/// connections); a silo without an HTTP data plane has none.</summary>
public interface IUploadConnectionDirectory
{
    /// <summary>Tells the connections forwarded by <paramref name="gatewayId"/> to reconnect; how many there were.</summary>
    int ReconnectForwardedBy(string gatewayId);
}
