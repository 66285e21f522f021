using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>The durable state of one upload session (grain state: Redis when configured, memory otherwise).</summary>
[GenerateSerializer]
public sealed record UploadSessionState
{
    [Id(0)] public UploadState State { get; init; } = UploadState.Created;
    [Id(1)] public string FileName { get; init; } = "";
    [Id(2)] public long Size { get; init; }
    [Id(3)] public string ContentType { get; init; } = "application/octet-stream";
    [Id(4)] public string? ExpectedSha256 { get; init; }
    /// <summary>SHA-256 of the resume token; the token itself is never stored.</summary>
    [Id(5)] public byte[] ResumeTokenHash { get; init; } = [];
    /// <summary>The budget grain key of the node holding the lease (<see cref="UploadStatus.LeaseNodeId"/>); empty while the session
    /// holds none (parked, or an empty file). Its name is the stored one: Redis grain storage keeps state as JSON by property
    /// name, so a rename would lose the lease of every session stored before it in a rolling upgrade.</summary>
    [Id(6)] public string NodeId { get; init; } = "";
    [Id(7)] public string NodeName { get; init; } = "";
    [Id(8)] public long ReservedBytes { get; init; }
    [Id(9)] public int ChunkSize { get; init; }
    [Id(10)] public int MaxChunksInFlight { get; init; }
    /// <summary>Bytes durably written and acknowledged.</summary>
    [Id(11)] public long CommittedOffset { get; init; }
    [Id(12)] public DateTimeOffset CreatedAt { get; init; }
    [Id(13)] public DateTimeOffset LastActivityAt { get; init; }
    [Id(14)] public UploadRefusal? Failure { get; init; }
    [Id(15)] public StoredFileRecord? File { get; init; }
    /// <summary>The client this session is counted against (<see cref="IUploadClientGrain"/>), released on every way out;
    /// null for a session started from inside the cluster.</summary>
    [Id(16)] public string? ClientId { get; init; }
    /// <summary>The last fencing epoch taken: each activation that writes takes the next one (durably) before its node writes
    /// a byte, and only that epoch may commit or complete. 0 for a session staged before epochs existed.</summary>
    [Id(17)] public int WriterEpoch { get; init; }
    /// <summary>tus <c>Upload-Metadata</c> as sent at creation, for HEAD; null when none was sent or not a tus upload.</summary>
    [Id(19)] public string? TusMetadata { get; init; }
    /// <summary>tus <c>Upload-Concat</c> as sent at creation (<c>partial</c> or <c>final;…</c>), for HEAD; null otherwise.</summary>
    [Id(20)] public string? TusConcat { get; init; }
    /// <summary>Where the store holds the committed bytes (<see cref="StagedLayout"/>): what it needs to read and finish them
    /// on any node (staging files of epochs, S3 parts with their ETags, Azure block ids). The tail: the parts after the last of
    /// <see cref="Pages"/> (all of them in a state written before pages, which has none). Id 18 held the file system's
    /// segments before object stores; sessions staged then are not resumed.</summary>
    [Id(21)] public StagedPart[] Parts { get; init; } = [];
    /// <summary>The store's id of this upload, once it has one (an S3 multipart upload id).</summary>
    [Id(22)] public string? StoreUploadId { get; init; }
    /// <summary>The limits of <see cref="ClientId"/> when the session started: what a parked session is counted against again
    /// when it resumes. Null for a session started from inside the cluster, or before sessions could park.</summary>
    [Id(23)] public ClientLimits? ClientLimits { get; init; }
    /// <summary>tus <c>Upload-Defer-Length</c>: the length is not declared yet, and <see cref="Size"/> is the most the upload
    /// may become (<c>Uploads:MaxFileSizeBytes</c>, or less for its client).</summary>
    [Id(24)] public bool LengthDeferred { get; init; }
    /// <summary>The size the store plans the upload's parts by, fixed at its creation: the bound of an upload created without
    /// its length (its parts must keep their size once the length is declared); null: <see cref="Size"/>.</summary>
    [Id(25)] public long? PlanSize { get; init; }
    /// <summary>The highest S3 part number a writer was let send without recording it (a body held for its checksum,
    /// <see cref="IUploadSessionGrain.CheckWriterSending"/>): writers number their parts past it. 0: none (and before it existed).</summary>
    [Id(26)] public int SentPartNumber { get; init; }
    /// <summary>The sealed pages of the oldest parts, in order (<see cref="SealedPage"/>): the committed bytes' parts are theirs
    /// followed by <see cref="Parts"/>. Empty: every part is in <see cref="Parts"/> (and in every state written before pages).</summary>
    [Id(27)] public SealedPage[] Pages { get; init; } = [];
}
