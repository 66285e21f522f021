using DirectDriveX.Storage.Azure;
using DirectDriveX.Storage.FileSystem;
using DirectDriveX.Storage.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Storage;

public static class UploadStoreServiceCollectionExtensions
{
    /// <summary>The store <c>FileStore:Kind</c> names, with its options bound from <paramref name="configuration"/> and
    /// validated at start. A store registered before (a test's) is kept.</summary>
    public static IServiceCollection AddUploadStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FileStoreOptions>().Bind(configuration.GetSection(FileStoreOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileStoreOptions>, FileStoreOptionsValidator>());
        services.TryAddSingleton<IUploadStore>(sp => sp.GetRequiredService<IOptions<FileStoreOptions>>().Value.Kind switch
        {
            StoreKind.S3 => ActivatorUtilities.CreateInstance<S3UploadStore>(sp),
            StoreKind.AzureBlob => ActivatorUtilities.CreateInstance<AzureBlobUploadStore>(sp),
            _ => ActivatorUtilities.CreateInstance<FileSystemUploadStore>(sp),
        });
        return services;
    }
}
