using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>What tests do with a silo's grain storage: put a storage of their own (one that records, loses or fails writes) in
/// front of the default one under a grain's storage name, and read a grain's stored record as the storage holds it.</summary>
public static class GrainStorageTesting
{
    /// <summary>Serves <paramref name="storageName"/> from the storage <paramref name="wrap"/> makes of the silo's default one,
    /// registered as <typeparamref name="T"/> too, so a test finds it on the silo.</summary>
    public static IServiceCollection WrapGrainStorage<T>(this IServiceCollection services, string storageName, Func<IGrainStorage, T> wrap)
        where T : class, IGrainStorage
    {
        services.AddSingleton(sp => wrap(sp.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME)));
        services.AddKeyedSingleton<IGrainStorage>(storageName, (sp, _) => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>The record <paramref name="stateName"/> of grain <paramref name="grainId"/> as stored (its state, ETag and
    /// whether it exists).</summary>
    public static async Task<GrainState<T>> ReadRecordAsync<T>(this IGrainStorage storage, string stateName, GrainId grainId)
    {
        var stored = new GrainState<T>();
        await storage.ReadStateAsync(stateName, grainId, stored);
        return stored;
    }
}
