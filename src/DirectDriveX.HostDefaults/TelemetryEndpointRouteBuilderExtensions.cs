using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace DirectDriveX.HostDefaults;

public static class TelemetryEndpointRouteBuilderExtensions
{
    /// <summary>The path Prometheus scrapes on the gateway and on every silo.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Maps the Prometheus scrape endpoint at <see cref="MetricsPath"/>.
    /// Requires <see cref="TelemetryServiceCollectionExtensions.AddDirectDriveXTelemetry"/>.</summary>
    public static IEndpointConventionBuilder MapDirectDriveXMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
    }
}
