using DirectDriveX.Node.Buffers;
using DirectDriveX.Node.Concatenation;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Node.Draining;
using DirectDriveX.Node.Storage;
using DirectDriveX.Node.Uploads;
using DirectDriveX.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node;

public static class NodeServiceCollectionExtensions
{
    /// <summary>This node's data plane: the upload and chunk buffer options (bound from <paramref name="configuration"/> and
    /// validated at start), the store, the buffer pool, the staged uploads, the data plane, the address it is published at
    /// the drain state and the store's check at start. What the silo's grains and the protocol adapters share; the silo's wiring adds it.</summary>
    public static IServiceCollection AddNode(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddUploadOptions(configuration);
        services.AddOptions<ChunkBufferPoolOptions>().Bind(configuration.GetSection(ChunkBufferPoolOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddUploadStore(configuration);
        services.AddOptions<DataPlaneOptions>().Bind(configuration.GetSection(DataPlaneOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ChunkBufferPool>();
        services.TryAddSingleton<StagedUploads>();
        services.TryAddSingleton<UploadDataPlane>();
        services.TryAddSingleton<UploadConcatenation>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadConcatenation>());
        services.TryAddSingleton<NodeHttpAddress>();
        services.TryAddSingleton<NodeDrain>();
        services.TryAddSingleton<StoreCheck>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreCheck>());
        return services;
    }
}
