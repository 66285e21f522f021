using DirectDriveX.Gateway.Protocol;
using DirectDriveX.Http;

namespace DirectDriveX.Gateway.Cluster;

public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/cluster/nodes", async (ClusterView view, CancellationToken cancellationToken) =>
            (await view.GetNodesAsync(forceRefresh: false, cancellationToken)).Select(NodeResponse.From));
        return app;
    }
}
