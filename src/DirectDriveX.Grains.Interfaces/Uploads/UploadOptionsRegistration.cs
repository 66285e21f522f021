using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Interfaces;

public static class UploadOptionsRegistration
{
    /// <summary>Section <c>Uploads</c>, bound and validated at start (<see cref="UploadOptionsValidator"/>), for every process
    /// that reads it: the node's grains and data plane, the protocol adapters, and a gateway's creation paths. From
    /// <paramref name="configuration"/>, or the host's configuration when none is given.</summary>
    public static IServiceCollection AddUploadOptions(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var options = services.AddOptions<UploadOptions>();
        if (configuration is null) options.BindConfiguration(UploadOptions.Section);
        else options.Bind(configuration.GetSection(UploadOptions.Section));
        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>());
        return services;
    }
}
