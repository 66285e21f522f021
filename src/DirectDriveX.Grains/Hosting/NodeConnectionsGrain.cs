using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Placement;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.Grains.Hosting;

/// <summary>What a node's upload connections need from the host that serves them (the upload protocols' registry of open
/// connections); a silo without an HTTP data plane has none.</summary>
public interface IUploadConnectionDirectory
{
    /// <summary>Tells the connections forwarded by <paramref name="gatewayId"/> to reconnect; how many there were.</summary>
    int ReconnectForwardedBy(string gatewayId);
}

/// <summary><see cref="INodeConnectionsGrain"/>: on the node it names, hands the request to the host's connection registry.</summary>
[SiloBoundPlacement]
public sealed class NodeConnectionsGrain(IServiceProvider services) : Grain, INodeConnectionsGrain
{
    public Task<int> CloseForwardedBy(string gatewayId) =>
        Task.FromResult(services.GetService<IUploadConnectionDirectory>()?.ReconnectForwardedBy(gatewayId) ?? 0);
}
