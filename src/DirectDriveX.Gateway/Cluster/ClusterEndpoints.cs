using DirectDriveX.Gateway.Protocol;
using DirectDriveX.Protocols;

namespace DirectDriveX.Gateway.Cluster;

public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/cluster/nodes", async (ClusterView view, CancellationToken cancellationToken) =>
            (await view.GetNodesAsync(forceRefresh: false, cancellationToken)).Select(NodeResponse.From));
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/readyz", async (ClusterView view, Hosting.GatewayDrain drain, CancellationToken cancellationToken) =>
        {
            if (drain.IsUnready)
                return Results.Json(new { status = "draining", nodes = 0 }, statusCode: StatusCodes.Status503ServiceUnavailable);
            try
            {
                // Ready once a node can take bytes: it is in the cluster and its data plane has published its address.
                var nodes = (await view.GetNodesAsync(forceRefresh: false, cancellationToken)).Where(n => n.DataPlaneUrl is not null && !n.Draining).ToList();
                return nodes.Count > 0
                    ? Results.Ok(new { status = "ready", nodes = nodes.Count })
                    : Results.Json(new { status = "no nodes", nodes = 0 }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Results.Json(new { status = "not connected", error = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return app;
    }
}
