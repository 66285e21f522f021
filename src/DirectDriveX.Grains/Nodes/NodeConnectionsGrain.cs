using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Placement;
using DirectDriveX.Node.Draining;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.Grains.Nodes;

/// <summary><see cref="INodeConnectionsGrain"/>: on the node it names, hands the request to the host's connection registry.</summary>
[SiloBoundPlacement]
public sealed class NodeConnectionsGrain(IServiceProvider services) : Grain, INodeConnectionsGrain
{
    public Task<int> CloseForwardedBy(string gatewayId) =>
        Task.FromResult(services.GetService<IUploadConnectionDirectory>()?.ReconnectForwardedBy(gatewayId) ?? 0);
}
