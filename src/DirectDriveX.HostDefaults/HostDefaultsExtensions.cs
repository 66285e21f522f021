using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DirectDriveX.HostDefaults;

/// <summary>
/// What every DirectDriveX host (the gateway, a silo, the embedded default) sets up the same way, as eShop's ServiceDefaults:
/// logging, the default URL, the management port, problem details, telemetry, and the probes. <c>/healthz</c> is liveness (the
/// process answers); <c>/readyz</c> runs the host's readiness check (registered with <see cref="AddReadinessCheck{T}"/>) and
/// answers 200 or 503 with <c>{"status": …}</c> and what the check reports.
/// </summary>
public static class HostDefaultsExtensions
{
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddHostDefaults(this WebApplicationBuilder builder, string serviceName, string defaultUrl)
    {
        if (builder.Configuration["Urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
            builder.WebHost.UseUrls(defaultUrl);
        builder.AddManagementUrls(defaultUrl); // the dashboard, /metrics and the node list on a port of their own (Management:Urls)
        builder.Services.AddProblemDetails();
        builder.Services.AddDirectDriveXTelemetry(serviceName);
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>The check <c>/readyz</c> answers with: its description is the status word, its data the rest of the answer.</summary>
    public static IServiceCollection AddReadinessCheck<T>(this IServiceCollection services) where T : class, IHealthCheck
    {
        services.AddHealthChecks().AddCheck<T>(ReadyTag, tags: [ReadyTag]);
        return services;
    }

    /// <summary>Maps <c>/healthz</c>, <c>/readyz</c> and the metrics scrape endpoint.</summary>
    public static WebApplication MapHostDefaults(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        app.MapDirectDriveXMetrics();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var answer = new Dictionary<string, object?>();
        var entry = report.Entries.Values.FirstOrDefault();
        answer["status"] = report.Entries.Count == 0 ? "ok" : entry.Description ?? report.Status.ToString();
        if (report.Entries.Count > 0)
            foreach (var (key, value) in entry.Data) answer[key] = value;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(answer, JsonSerializerOptions.Web));
    }
}
