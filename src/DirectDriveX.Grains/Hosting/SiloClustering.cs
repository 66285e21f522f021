using System.Net;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DirectDriveX.Grains.Hosting;

/// <summary>Redis clustering and Redis grain storage when a Redis connection string is configured; localhost clustering and
/// in-memory grain storage (the embedded laptop default) otherwise.</summary>
public static class SiloClustering
{
    public static ISiloBuilder UseDirectDriveXClustering(this ISiloBuilder silo, SiloHostOptions options, string? redis)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        silo.Configure<SiloOptions>(o => o.SiloName = options.SiloName ?? $"{Environment.MachineName}-{options.SiloPort}");

        if (string.IsNullOrWhiteSpace(redis))
        {
            var primary = options.PrimarySiloEndpoint is { } endpoint ? IPEndPoint.Parse(endpoint) : null;
            return silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId)
                .AddMemoryGrainStorageAsDefault();
        }

        return silo
            .ConfigureEndpoints(IPAddress.Parse(options.AdvertisedIP), options.SiloPort, options.GatewayPort, options.ListenOnAnyHostAddress)
            .UseRedisClustering(redis)
            .AddRedisGrainStorageAsDefault(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
    }
}
