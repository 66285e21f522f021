using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Storage;

/// <summary>Configuration section <c>FileStore</c>: where staged and stored files live. <see cref="Kind"/> picks the store:
/// a directory every node mounts, or object storage (S3-compatible, Azure Blob), where each node needs only a scratch
/// directory of its own.</summary>
public sealed class FileStoreOptions
{
    public const string Section = "FileStore";

    /// <summary><c>FileSystem</c> (default), <c>S3</c> or <c>AzureBlob</c>.</summary>
    public StoreKind Kind { get; set; } = StoreKind.FileSystem;

    /// <summary>FileSystem: the store itself (shared by every node). S3 and AzureBlob: this node's scratch directory, where a
    /// writer keeps the bytes of the part it is filling (nothing in it is needed after the process dies; it is emptied at
    /// start). Relative paths resolve against the working directory. Default <c>data</c>.</summary>
    [Required]
    public string RootDirectory { get; set; } = "data";

    /// <summary>The S3-compatible store, when <see cref="Kind"/> is <c>S3</c>.</summary>
    public S3.S3StoreOptions S3 { get; set; } = new();

    /// <summary>The Azure Blob Storage account, when <see cref="Kind"/> is <c>AzureBlob</c>.</summary>
    public Azure.AzureBlobStoreOptions AzureBlob { get; set; } = new();

    /// <summary>fsync every chunk before it is acknowledged, so an acknowledged offset survives a power cut. Default true.</summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>Keep an upload's bytes in the page cache once they are on disk. Default false: after each chunk's fsync its
    /// pages are dropped (Linux <c>posix_fadvise(DONTNEED)</c>), so an upload occupies about a chunk of page cache rather than
    /// its whole size, and the kernel reuses those pages for the next chunk instead of taking fresh ones (on the 2-core VM,
    /// half the CPU of a 1 GiB upload went to copying into fresh page-cache pages). A download soon after an upload then
    /// reads from disk. No effect without <see cref="FlushToDisk"/> (dirty pages cannot be dropped).</summary>
    public bool CacheWrittenPages { get; set; }

    /// <summary>FileSystem only: free space of the file store that uploads are never promised (for the system, logs, state). An upload
    /// whose declared size does not fit in the rest, less what live uploads were promised, is refused at creation with
    /// InsufficientStorage. Default 268435456 (256 MiB).</summary>
    [Range(0, long.MaxValue)]
    public long FreeSpaceMarginBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>FileSystem only: a store-space promise this old (or last found held this long ago) is checked with its session
    /// before an upload is refused for space, and forgotten when its session has ended or never was: a release lost on its way
    /// (the promises' grain out of reach at that moment) so does not count against the store for good. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan PromiseRecheckAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Object stores: downloads answer <c>302 Found</c> to a link straight to the store (an S3 presigned GET, an
    /// Azure SAS; ranges and validators answered by the store) valid this long, instead of streaming the bytes through the
    /// process asked. Unset (default): streamed. Up to 7 days (S3's limit). The file system store always streams; so does
    /// an Azure connection string without an account key, which cannot sign.</summary>
    public TimeSpan? DownloadLinkLifetime { get; set; }

    /// <summary>How often each silo looks for staged bytes no session will finish. Default 10 minutes.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A staging file untouched this long is checked against its session, and removed when the session does not
    /// exist or has ended. Default 1 hour (well past the lease timeout, so a live upload is never in question).</summary>
    public TimeSpan OrphanAge { get; set; } = TimeSpan.FromHours(1);
}
