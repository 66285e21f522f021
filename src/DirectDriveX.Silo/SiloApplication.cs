using DirectDriveX.Http.Clients;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.Protocols;
using DirectDriveX.HostDefaults;
using Orleans.Dashboard;
using Microsoft.Extensions.Options;
using DirectDriveX.Http;

namespace DirectDriveX.Silo;

/// <summary>
/// A silo host's composition: the silo (clustering, grains, this node's budget and data plane), and on its HTTP port the
/// upload protocols (the gateway forwards each upload's connection to the node holding it), health, metrics and the
/// Orleans dashboard.
/// </summary>
public static class SiloApplication
{
    public const string DefaultUrl = "http://127.0.0.1:8081";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = HostWebApplication.CreateBuilder(args).AddHostDefaults("directdrivex-silo", DefaultUrl);
        builder.Services.AddReadinessCheck<SiloReadiness>();

        builder.Services.AddOptions<SiloHostOptions>().BindConfiguration(SiloHostOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var hosting = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        var redis = builder.Configuration.GetConnectionString("Redis");
        builder.Services.AddUploadProtocols();
        builder.UseOrleans(silo =>
        {
            silo.UseDirectDriveXClustering(hosting, redis).AddDirectDriveX(builder.Configuration);
            if (DashboardSetting.IsEnabled(builder.Configuration)) silo.AddDashboard();
        });
        // SIGTERM: out of routing at once, every upload connection told to reconnect and its session let go, then leave the
        // cluster; the whole stop within Shutdown:DrainTimeout (README, "Operations").
        builder.Services.AddBoundedShutdown(builder.Configuration);
        builder.Services.AddNodeDrain();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseManagementSurface(app.Configuration); // operator paths only on Management:Urls, and/or with Management:Token
        app.UseTrustedProxies(); // behind the gateway: the client's address from the gateway's X-Forwarded-For
        app.UseUploadFailureRefusals(); // a grain-call failure in a protocol endpoint is a typed refusal
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.MapHostDefaults(); // /healthz, /readyz (SiloReadiness), /metrics
        app.MapUploadProtocols(); // this node's data plane
        if (DashboardSetting.IsEnabled(app.Configuration)) app.MapOrleansDashboard("/dashboard");
        app.PublishNodeHttpAddress(app.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value.AdvertisedIP);
        return app;
    }
}
