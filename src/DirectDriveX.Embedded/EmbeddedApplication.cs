using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.HostDefaults;
using Orleans.Dashboard;
using DirectDriveX.Protocols;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Embedded;

/// <summary>
/// The whole system in one process: the gateway's composition in its embedded mode (the upload protocols served on this
/// process's own data plane, no forwarding) and one silo with localhost clustering and grain state in files of the store,
/// so that a restart resumes its uploads.
/// </summary>
public static class EmbeddedApplication
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = GatewayApplication.CreateEmbeddedBuilder(args);
        var cluster = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.Services.AddOptions<SiloHostOptions>().BindConfiguration(SiloHostOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddUploadProtocols(); // after the gateway's, whose tus creation router stays registered
        builder.Services.AddNodeDrain(); // SIGTERM: this process's node drains as a silo host's does, beside the gateway's drain
        builder.UseOrleans(silo =>
        {
            silo.UseDirectDriveXClustering(cluster, redis: null).AddDirectDriveX(builder.Configuration);
            if (DashboardSetting.IsEnabled(builder.Configuration)) silo.AddDashboard();
        });
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = GatewayApplication.Build(builder);
        app.MapUploadProtocols(); // one process: this silo's data plane takes the bytes, no hop
        app.PublishNodeHttpAddress(app.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value.AdvertisedIP);
        return app;
    }
}
