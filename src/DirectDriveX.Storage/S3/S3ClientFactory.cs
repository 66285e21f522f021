using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace DirectDriveX.Storage.S3;

/// <summary>The S3 client <see cref="S3StoreOptions"/> describe.</summary>
internal static class S3ClientFactory
{
    public static IAmazonS3 Create(S3StoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromMinutes(5),
            MaxErrorRetry = 3,
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    /// <summary>Whether the client talks https: AWS itself (no service URL), or a service URL of scheme https.</summary>
    public static bool IsHttps(S3StoreOptions options) => string.IsNullOrEmpty(options.ServiceUrl)
        || options.ServiceUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
