namespace DirectDriveX.Storage.S3;

/// <summary>
/// Section <c>FileStore:S3</c>: an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Ceph RGW).
/// Credentials: <see cref="AccessKey"/>/<see cref="SecretKey"/> when given, else the SDK's default chain (environment,
/// profile, instance role).
/// </summary>
public sealed class S3StoreOptions
{
    /// <summary>The endpoint of a non-AWS server (<c>http://minio:9000</c>, <c>https://ACCOUNT.r2.cloudflarestorage.com</c>);
    /// empty for AWS itself, which <see cref="Region"/> then locates.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The bucket's region (<c>us-east-1</c>; R2: <c>auto</c>). Default us-east-1.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The bucket every node and gateway uses.</summary>
    public string? Bucket { get; set; }

    /// <summary>A key prefix for everything this service writes (<c>uploads/</c>), so a bucket can be shared. Default none.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Path-style addressing (<c>http://host/bucket/key</c>): needed by MinIO and most local servers. Default false.</summary>
    public bool ForcePathStyle { get; set; }

    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }

    /// <summary>Create the bucket at start when it is missing (development servers). Default false.</summary>
    public bool CreateBucket { get; set; }

    /// <summary>Largest number of parts a file is cut into: S3 allows 10,000; part sizes grow past the chunk size for files
    /// that would need more (a 2 TB file: parts of 224 MiB). Part numbers past the parts are left for writers that take an
    /// upload over (each takeover skips one number). Default 9,000.</summary>
    public int MaxParts { get; set; } = 9_000;
}
