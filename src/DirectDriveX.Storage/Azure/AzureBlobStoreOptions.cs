namespace DirectDriveX.Storage.Azure;

/// <summary>
/// Section <c>FileStore:AzureBlob</c>: a container of an Azure Storage account (or Azurite), reached with a connection
/// string (account key, or a SAS: <c>BlobEndpoint=https://ACCOUNT.blob.core.windows.net;SharedAccessSignature=…</c>).
/// </summary>
public sealed class AzureBlobStoreOptions
{
    public string? ConnectionString { get; set; }

    public string? Container { get; set; }

    /// <summary>A blob name prefix for everything this service writes. Default none.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Create the container at start when it is missing. Default false.</summary>
    public bool CreateContainer { get; set; }
}
