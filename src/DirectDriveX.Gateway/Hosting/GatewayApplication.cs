using DirectDriveX.Gateway.Cluster;
using DirectDriveX.Gateway.Downloads;
using DirectDriveX.Gateway.Protocol;
using DirectDriveX.Gateway.Uploads;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using DirectDriveX.Telemetry;
using Orleans.Dashboard;

namespace DirectDriveX.Gateway.Hosting;

/// <summary>The gateway's composition: services, Orleans for the configured mode, and every endpoint.</summary>
public static class GatewayApplication
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (builder.Configuration["Urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
            builder.WebHost.UseUrls(DefaultUrl);

        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClusterView>();
        builder.Services.AddSingleton<UploadStarter>();
        builder.Services.AddSingleton<UploadAccess>();
        builder.Services.AddSingleton<RefusalResults>();
        builder.Services.AddDirectDriveXTelemetry("directdrivex-gateway");
        builder.AddGatewayOrleans(GatewayOrleans.ResolveMode(builder.Configuration));
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseDefaultFiles();
        app.UseStaticFiles();

        app.MapUploadHttpEndpoints();
        app.MapMultipartUpload();
        app.MapUploadSocket();
        app.MapLegacyUploadEndpoints();
        app.MapFileEndpoints();
        app.MapClusterEndpoints();
        app.MapDirectDriveXMetrics();
        var mode = GatewayOrleans.ResolveMode(app.Configuration);
        if (mode != ClusterMode.External) app.MapOrleansDashboard("/dashboard");

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
                app.Logger.LogInformation("DirectDriveX gateway ({Mode}) listening: upload page {Page}  dashboard {Dashboard}",
                    mode, address + "/", address + "/dashboard");
        });
        return app;
    }
}
