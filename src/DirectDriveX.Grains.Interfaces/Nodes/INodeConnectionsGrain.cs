namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// The upload connections one node's data plane is serving, keyed like its budget (<see cref="MemoryBudgetKey.For"/>) and
/// always active on that node. A gateway that is shutting down asks every node to end the connections it forwarded
/// there: each is told to reconnect (a WebSocket gets a typed <c>reconnect</c> message and close 1001; an HTTP request in
/// flight its committed offset), so its client resumes through another gateway.
/// </summary>
public interface INodeConnectionsGrain : IGrainWithStringKey
{
    /// <summary>Tells every upload connection forwarded by gateway <paramref name="gatewayId"/> (the
    /// <c>X-DDX-Gateway</c> header it sent) to reconnect; returns how many there were.</summary>
    Task<int> CloseForwardedBy(string gatewayId);
}

public static class NodeConnectionsKey
{
    public static INodeConnectionsGrain ConnectionsOf(this IGrainFactory grains, SiloAddress silo) =>
        grains.GetGrain<INodeConnectionsGrain>(MemoryBudgetKey.For(silo));
}
