using System.Net;
using DirectDriveX.Grains.Hosting;
using Orleans.Configuration;
using DirectDriveX.HostDefaults;
using Orleans.Dashboard;

namespace DirectDriveX.Gateway.Hosting;

/// <summary>Wires Orleans for the chosen <see cref="ClusterMode"/>.</summary>
public static class GatewayOrleans
{
    public static ClusterMode ResolveMode(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis"))
            ? ClusterMode.Redis
            : configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.Mode ?? ClusterMode.Embedded;

    public static WebApplicationBuilder AddGatewayOrleans(this WebApplicationBuilder builder, ClusterMode mode)
    {
        var configuration = builder.Configuration;
        var cluster = configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        var gateway = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var dashboard = DashboardSetting.IsEnabled(configuration);
        switch (mode)
        {
            case ClusterMode.Embedded:
                builder.UseOrleans(silo =>
                {
                    silo.UseDirectDriveXClustering(cluster, redis: null).AddDirectDriveX(configuration);
                    if (dashboard) silo.AddDashboard();
                });
                break;
            case ClusterMode.Localhost:
                builder.UseOrleansClient(client =>
                {
                    client.Configure<ClusterOptions>(o => { o.ClusterId = cluster.ClusterId; o.ServiceId = cluster.ServiceId; })
                        .UseStaticClustering(gateway.LocalhostGatewayPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray());
                    if (dashboard) client.AddDashboard();
                });
                break;
            case ClusterMode.Redis:
                builder.UseOrleansClient(client =>
                {
                    client.Configure<ClusterOptions>(o => { o.ClusterId = cluster.ClusterId; o.ServiceId = cluster.ServiceId; })
                        .UseRedisClustering(o => o.ConfigurationOptions = RedisConnection.Options(configuration.GetConnectionString("Redis")!));
                    if (dashboard) client.AddDashboard();
                });
                break;
            case ClusterMode.External:
                break;
        }
        return builder;
    }
}
