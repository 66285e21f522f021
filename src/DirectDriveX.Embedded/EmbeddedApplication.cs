using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.HostDefaults;
using Orleans.Dashboard;

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
        builder.UseOrleans(silo =>
        {
            silo.UseDirectDriveXClustering(cluster, redis: null).AddDirectDriveX(builder.Configuration);
            if (DashboardSetting.IsEnabled(builder.Configuration)) silo.AddDashboard();
        });
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder) => GatewayApplication.Build(builder);
}
