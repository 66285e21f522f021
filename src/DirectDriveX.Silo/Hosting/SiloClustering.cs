using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Net;
using DirectDriveX.Grains.Clients;
using DirectDriveX.Grains.Sessions;
using Microsoft.Extensions.Options;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Persistence;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;
using DirectDriveX.Node.Uploads;
using DirectDriveX.HostDefaults;
using DirectDriveX.Grains.Tus;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Silo.Hosting;

/// <summary>Redis clustering and Redis grain storage when a Redis connection string is configured; localhost clustering and
/// grain state in files of the file store (the embedded laptop default, which so resumes uploads after a restart) otherwise.</summary>
public static class SiloClustering
{
    /// <summary>Grain state in files of the shared file store (<see cref="FileGrainStorage"/>) as the default storage, with
    /// the same lifetimes as in Redis: upload sessions' records <see cref="UploadOptions.SessionRecordLifetime"/> and clients'
    /// <see cref="UploadClientGrain.RecordLifetime"/> after their last write, swept by <see cref="StateFileSweep"/>.</summary>
    public static ISiloBuilder AddFileGrainStorageAsDefault(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<FileGrainStorage>(services,
            (IReadOnlyDictionary<string, TimeSpan>)new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
            {
                [UploadSessionGrain.StateName] = services.GetRequiredService<IOptions<UploadOptions>>().Value.SessionRecordLifetime,
                [UploadClientGrain.StateName] = UploadClientGrain.RecordLifetime,
                [TusFinalUploadGrain.StateName] = services.GetRequiredService<IOptions<UploadOptions>>().Value.SessionRecordLifetime,
                [TusPartialUploadGrain.StateName] = services.GetRequiredService<IOptions<UploadOptions>>().Value.SessionRecordLifetime,
            }));
        silo.Services.AddGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME,
            (services, _) => services.GetRequiredService<FileGrainStorage>());
        silo.Services.AddHostedService<StateFileSweep>();
        return silo;
    }

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
                .AddFileGrainStorageAsDefault();
        }

        return silo
            .ConfigureEndpoints(IPAddress.Parse(options.AdvertisedIP), options.SiloPort, options.GatewayPort, options.ListenOnAnyHostAddress)
            .UseRedisClustering(o => o.ConfigurationOptions = RedisConnection.Options(redis))
            .AddDirectDriveXRedisStorage(redis);
    }

    /// <summary>
    /// Grain state in Redis: stored files' records (the default storage) for good; upload sessions' records
    /// (<see cref="UploadSessionGrain.StorageName"/>) in keys that expire <see cref="UploadOptions.SessionRecordLifetime"/>
    /// after their last write, and clients' (<see cref="UploadClientGrain.StorageName"/>) <see cref="UploadClientGrain.RecordLifetime"/>
    /// after theirs, so that Redis does not grow with every upload and every address ever served. A cleared state deletes its
    /// key: the provider's default would leave an empty hash behind for every grain that ever cleared its state.
    /// </summary>
    public static ISiloBuilder AddDirectDriveXRedisStorage(this ISiloBuilder silo, string redis)
    {
        silo.Services.TryAddSingleton<RedisReplicaWatch>();
        return silo
            .AddRedisGrainStorageAsDefault(builder => builder.Configure<RedisReplicaWatch>((o, watch) =>
                ConfigureRedisStorage(o, redis, expiry: null, watch)))
            .AddRedisGrainStorage(UploadSessionGrain.StorageName, builder => builder.Configure<IOptions<UploadOptions>, RedisReplicaWatch>((o, uploads, watch) =>
                ConfigureRedisStorage(o, redis, uploads.Value.SessionRecordLifetime, watch)))
            .AddRedisGrainStorage(UploadClientGrain.StorageName, builder => builder.Configure<RedisReplicaWatch>((o, watch) =>
                ConfigureRedisStorage(o, redis, UploadClientGrain.RecordLifetime, watch)));
    }

    private static void ConfigureRedisStorage(RedisStorageOptions options, string redis, TimeSpan? expiry, RedisReplicaWatch watch)
    {
        options.ConfigurationOptions = RedisConnection.Options(redis);
        options.CreateMultiplexer = o => watch.ConnectAsync(o.ConfigurationOptions!);
        options.DeleteStateOnClear = true;
        options.EntryExpiry = expiry;
    }
}
