using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Grains.Interfaces;

/// <summary>Configuration section <c>Uploads</c>: what a session accepts.</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>Largest declared file size accepted. Default 10 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileSizeBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Largest chunk: the unit of acknowledgement, of an object store's part and the largest WebSocket message; at most
    /// 32 MiB. Default 8 MiB.</summary>
    [Range(4096, 32 * 1024 * 1024)]
    public int MaxChunkBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Smallest chunk size a session is given (a smaller tier reservation is raised to it). Default 64 KiB.</summary>
    [Range(1, 32 * 1024 * 1024)]
    public int MinChunkBytes { get; set; } = 64 * 1024;

    /// <summary>A session that has received no byte this long after it was created gives its lease back and ends Expired,
    /// so creates that never send cannot hold the cluster's headroom for a whole lease timeout. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan FirstByteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A client's counted session older than this is checked with its session grain when the client is at its
    /// concurrent limit, so a session that ended where its release could not be delivered (its node died and nobody resumed
    /// it: the check reactivates it, and its deadline ends it) does not hold the client's slot. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan ClientRecheckAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an upload session's record is kept after its last change (a Redis key's expiry; in the embedded
    /// default's state files, read as absent after it and deleted by a sweep): an ended session answers status and resume calls until then, and NotFound after; its stored file stays. A live
    /// session changes its record at every commit and ends within a lease timeout of its last byte, so only ended and
    /// abandoned sessions reach this age. Default 7 days.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan SessionRecordLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many of an upload's oldest committed parts (S3 parts, Azure blocks) the session seals into a page of their
    /// own record (issue 16), so that a commit writes its session's record with the newest parts only: the bytes a commit writes
    /// stay bounded however many parts the upload has, instead of growing with them. 0: never sealed, every part stays in the
    /// session's record (as before pages: the setting for a rolling upgrade from a version without them, whose silos would
    /// read a session with pages as missing its sealed parts). Default 64.</summary>
    [Range(0, 100_000)]
    public int SessionPartsPerPage { get; set; } = 64;

    /// <summary>How many pages of one level (<see cref="SessionPartsPerPage"/>) the session folds into one page of the level
    /// above, a record listing them, so that the list of pages a commit writes stays short however many parts the upload has:
    /// fewer than this many per level, a few levels at 10,000 parts, instead of one entry per page. 0 (or 1): never folded
    /// (the setting for a rolling upgrade from a version without page lists, whose silos would read a list as a page of
    /// parts). Default 8.</summary>
    [Range(0, 100_000)]
    public int SessionPagesPerList { get; set; } = 8;

    /// <summary>How long an unfinished upload stays resumable after its last commit: what tus announces as
    /// <c>Upload-Expires</c> (expiration extension). At most <see cref="SessionRecordLifetime"/>, whose record a resume needs.
    /// Default 24 h.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan ResumeWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest file name kept, in characters. Default 255.</summary>
    [Range(1, 4096)]
    public int MaxFileNameLength { get; set; } = 255;
}
