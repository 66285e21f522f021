namespace DirectDriveX.Storage;

/// <summary>Which store holds the bytes (<c>FileStore:Kind</c>).</summary>
public enum StoreKind
{
    /// <summary>A directory every node mounts (the embedded default; several machines need a shared file system).</summary>
    FileSystem,

    /// <summary>An S3-compatible object store (AWS S3, MinIO, Cloudflare R2, Ceph RGW): no shared disk.</summary>
    S3,

    /// <summary>Azure Blob Storage (block blobs): no shared disk.</summary>
    AzureBlob,
}
