using DirectDriveX.Silo.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using DirectDriveX.Node.Draining;
using DirectDriveX.Node.Storage;

namespace DirectDriveX.Silo;

/// <summary>A silo is ready once it is an active member of the cluster and its store has answered (<see cref="StoreCheck"/>),
/// and not once it drains (<c>/readyz</c>).</summary>
public sealed class SiloReadiness(IClusterMembershipService membership, ILocalSiloDetails silo, NodeDrain drain, StoreCheck store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["silo"] = silo.Name };
        if (store.Failure is { } failure) data["store"] = failure;
        return Task.FromResult(drain.IsDraining
            ? HealthCheckResult.Unhealthy("draining", data: data)
            : membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) != SiloStatus.Active
                ? HealthCheckResult.Unhealthy("starting", data: data)
                : store.Failure is not null
                    ? HealthCheckResult.Unhealthy("store unreachable", data: data)
                    : HealthCheckResult.Healthy("ready", data));
    }
}
