using DirectDriveX.Silo.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using DirectDriveX.Node.Draining;

namespace DirectDriveX.Silo;

/// <summary>A silo is ready once it is an active member of the cluster, and not once it drains (<c>/readyz</c>).</summary>
public sealed class SiloReadiness(IClusterMembershipService membership, ILocalSiloDetails silo, NodeDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["silo"] = silo.Name };
        return Task.FromResult(drain.IsDraining
            ? HealthCheckResult.Unhealthy("draining", data: data)
            : membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active
                ? HealthCheckResult.Healthy("ready", data)
                : HealthCheckResult.Unhealthy("starting", data: data));
    }
}
