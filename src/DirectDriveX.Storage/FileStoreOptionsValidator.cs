using Microsoft.Extensions.Options;

namespace DirectDriveX.Storage;

/// <summary>The settings the chosen store cannot start without.</summary>
public sealed class FileStoreOptionsValidator : IValidateOptions<FileStoreOptions>
{
    public static readonly TimeSpan MaxDownloadLinkLifetime = TimeSpan.FromDays(7);

    public ValidateOptionsResult Validate(string? name, FileStoreOptions options)
    {
        var failures = new List<string>();
        switch (options.Kind)
        {
            case StoreKind.S3:
                if (string.IsNullOrWhiteSpace(options.S3.Bucket)) failures.Add("FileStore:S3:Bucket is required when FileStore:Kind is S3.");
                if (!string.IsNullOrEmpty(options.S3.ServiceUrl) && !Uri.TryCreate(options.S3.ServiceUrl, UriKind.Absolute, out _))
                    failures.Add($"FileStore:S3:ServiceUrl '{options.S3.ServiceUrl}' is not an absolute URL.");
                if (string.IsNullOrEmpty(options.S3.AccessKey) != string.IsNullOrEmpty(options.S3.SecretKey))
                    failures.Add("FileStore:S3:AccessKey and FileStore:S3:SecretKey go together.");
                if (options.S3.MaxParts is < 1 or > Objects.ObjectPartPlan.MaxPartNumber)
                    failures.Add($"FileStore:S3:MaxParts must be 1 to {Objects.ObjectPartPlan.MaxPartNumber}.");
                break;
            case StoreKind.AzureBlob:
                if (string.IsNullOrWhiteSpace(options.AzureBlob.ConnectionString))
                    failures.Add("FileStore:AzureBlob:ConnectionString is required when FileStore:Kind is AzureBlob.");
                if (string.IsNullOrWhiteSpace(options.AzureBlob.Container))
                    failures.Add("FileStore:AzureBlob:Container is required when FileStore:Kind is AzureBlob.");
                break;
        }
        if (options.DownloadLinkLifetime is { } lifetime && (lifetime < TimeSpan.FromSeconds(1) || lifetime > MaxDownloadLinkLifetime))
            failures.Add($"FileStore:DownloadLinkLifetime must be 1 s to {MaxDownloadLinkLifetime.TotalDays} days (S3's longest presigned URL).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
