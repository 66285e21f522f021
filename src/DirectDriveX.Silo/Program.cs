using DirectDriveX.Grains.Hosting;
using DirectDriveX.Telemetry;
using Orleans.Dashboard;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["Urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
    builder.WebHost.UseUrls("http://127.0.0.1:8081");

builder.Services.AddOptions<SiloHostOptions>().BindConfiguration(SiloHostOptions.Section).ValidateDataAnnotations().ValidateOnStart();
var hosting = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
var redis = builder.Configuration.GetConnectionString("Redis");
builder.Services.AddDirectDriveXTelemetry("directdrivex-silo");

builder.UseOrleans(silo => silo
    .UseDirectDriveXClustering(hosting, redis)
    .AddDirectDriveX(builder.Configuration)
    .AddDashboard());

var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.MapGet("/readyz", (IClusterMembershipService membership, ILocalSiloDetails silo) =>
    membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active
        ? Results.Ok(new { status = "ready", silo = silo.Name })
        : Results.Json(new { status = "starting", silo = silo.Name }, statusCode: StatusCodes.Status503ServiceUnavailable));
app.MapOrleansDashboard("/dashboard");
app.MapDirectDriveXMetrics();
app.Run();
