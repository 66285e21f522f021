using DirectDriveX.Grains.Interfaces.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace DirectDriveX.HostDefaults;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="UploadMetrics"/> (one per container, through <see cref="System.Diagnostics.Metrics.IMeterFactory"/>)
    /// and OpenTelemetry metrics for the DirectDriveX meter, ASP.NET Core, the .NET runtime and Orleans, exported for
    /// Prometheus. Map the scrape endpoint with <see cref="TelemetryEndpointRouteBuilderExtensions.MapDirectDriveXMetrics"/>.
    /// </summary>
    /// <param name="serviceName">The <c>service.name</c> resource attribute, e.g. "directdrivex-gateway".</param>
    public static IServiceCollection AddDirectDriveXTelemetry(this IServiceCollection services, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);

        services.AddMetrics();
        services.TryAddSingleton<UploadMetrics>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddMeter(UploadMetricNames.Meter)
                .AddMeter(TelemetryMeters.Orleans)
                .AddMeter(TelemetryMeters.Runtime)
                // The budget gauges a silo puts on Orleans' meter for the dashboard (DashboardBudgetCounters): exported
                // already as directdrivex.memory.* with a node tag.
                .AddView(instrument => instrument.Meter.Name == TelemetryMeters.Orleans && instrument.Name.StartsWith(UploadMetricNames.DashboardBudgetPrefix, StringComparison.Ordinal)
                    ? MetricStreamConfiguration.Drop : null)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
        return services;
    }
}
