using DirectDriveX.Gateway.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DirectDriveX.Gateway.Cluster;

/// <summary>A gateway is ready once a node can take bytes: a member whose data plane has published its address and that is
/// not draining; never while the gateway itself drains (<c>/readyz</c>).</summary>
public sealed class GatewayReadiness(ClusterView view, GatewayDrain drain) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (drain.IsUnready) return HealthCheckResult.Unhealthy("draining", data: Nodes(0));
        try
        {
            var nodes = (await view.GetNodesAsync(forceRefresh: false, cancellationToken)).Count(n => n.DataPlaneUrl is not null && !n.Draining);
            return nodes > 0 ? HealthCheckResult.Healthy("ready", Nodes(nodes)) : HealthCheckResult.Unhealthy("no nodes", data: Nodes(0));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("not connected", data: new Dictionary<string, object> { ["error"] = e.Message });
        }
    }

    private static Dictionary<string, object> Nodes(int count) => new() { ["nodes"] = count };
}
