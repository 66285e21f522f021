using System.Net;
using Orleans.Configuration;
using DirectDriveX.HostDefaults;
using Orleans.Dashboard;

namespace DirectDriveX.Gateway.Hosting;

/// <summary>Wires the gateway's Orleans client for the chosen <see cref="ClusterMode"/>; embedded, the host adds the silo.</summary>
public static class GatewayOrleans
{
    /// <summary><see cref="ClusterMode.Embedded"/> when the host says so (<c>DirectDriveX.Embedded</c> sets it), else Redis
    /// whenever <c>ConnectionStrings:Redis</c> is set, else <c>Gateway:Mode</c>.</summary>
    public static ClusterMode ResolveMode(IConfiguration configuration)
    {
        var configured = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.Mode ?? ClusterMode.Localhost;
        if (configured == ClusterMode.Embedded) return ClusterMode.Embedded;
        return !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")) ? ClusterMode.Redis : configured;
    }

    public static WebApplicationBuilder AddGatewayOrleans(this WebApplicationBuilder builder, ClusterMode mode)
    {
        var configuration = builder.Configuration;
        var cluster = configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        var gateway = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var dashboard = DashboardSetting.IsEnabled(configuration);
        switch (mode)
        {
            case ClusterMode.Embedded:
                break; // the host adds the silo (DirectDriveX.Embedded)
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
