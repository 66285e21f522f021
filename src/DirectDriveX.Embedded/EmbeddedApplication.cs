using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.HostDefaults;
using Orleans.Dashboard;
using DirectDriveX.Protocols;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

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
            // One silo owns the whole directory, so every lookup is answered by its own partition and a cache of remote
            // entries has nothing to hold; yet Orleans' LRU cache kept an entry per activation (8,005 after 8,000 uploads),
            // and the dashboard's metric reader counted it by walking every entry each second (issue 19, sixth round: 0.75%
            // of the process's CPU at 8,000 entries, growing with the uploads its activations outlive).
            silo.Configure<GrainDirectoryOptions>(directory => directory.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None);
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
