namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// Why the cluster said no. Every refusal a client can see maps to exactly one of these, and the
/// gateway maps each to one HTTP status and one WebSocket close code (see README, "Refusals").
/// </summary>
[GenerateSerializer]
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<RefusalReason>))]
public enum RefusalReason
{
    /// <summary>No node has the memory headroom for the reservation right now: retry later.</summary>
    InsufficientHeadroom = 1,
    /// <summary>The declared size is over the configured maximum file size.</summary>
    FileTooLarge = 2,
    /// <summary>A field of the request is missing or invalid (the message names it).</summary>
    InvalidRequest = 3,
    /// <summary>A chunk's offset is not the committed length; <see cref="UploadRefusal.ExpectedOffset"/> says where to resume.</summary>
    OffsetMismatch = 4,
    /// <summary>A message is larger than the protocol allows here (a WebSocket binary message over the session's chunk size, a
    /// text message over its limit).</summary>
    ChunkTooLarge = 5,
    /// <summary>The node's chunk buffer pool stayed exhausted past the wait deadline: retry the chunk later.</summary>
    BuffersExhausted = 6,
    /// <summary>No upload session or stored file has that id.</summary>
    NotFound = 7,
    /// <summary>The session is in a state that does not accept this call (for example a write after completion).</summary>
    InvalidState = 8,
    /// <summary>Completion was asked for before all declared bytes were committed.</summary>
    Incomplete = 9,
    /// <summary>The SHA-256 of the received bytes differs from the one the client declared.</summary>
    HashMismatch = 10,
    /// <summary>The session saw no data for longer than the lease timeout and was expired; its data is gone.</summary>
    Expired = 11,
    /// <summary>The session was aborted by the client.</summary>
    Aborted = 12,
    /// <summary>The node failed to store the data (disk, I/O, the object store): a server fault, not the client's.</summary>
    StorageFailure = 13,
    /// <summary>The resume token presented does not belong to this upload, or the API key or delete token presented to delete a
    /// stored file is not its uploader's.</summary>
    Unauthorized = 14,
    /// <summary>The node holding the upload is not reachable now (it left the cluster, or the session moved): retry shortly;
    /// the gateway routes the retry to wherever the session lives.</summary>
    NodeUnavailable = 15,
    /// <summary>The request body is not in a media type this endpoint reads (creating an upload takes application/json).</summary>
    UnsupportedMediaType = 16,
    /// <summary>The file store has not the free space for the upload's declared size (less its margin and the bytes already
    /// promised to live uploads), or filled up while writing: retry later; committed bytes are kept.</summary>
    InsufficientStorage = 17,
    /// <summary>The client already holds as many live uploads as it may (<c>Clients:MaxConcurrentUploads</c>, or its API key's
    /// limit): retry when one of them ends. <see cref="UploadRefusal.Quota"/> carries the count and the limit.</summary>
    TooManyUploads = 18,
    /// <summary>The upload would take the client past its bytes per day; <see cref="UploadRefusal.Quota"/> carries what it used,
    /// the limit and when the quota resets (the next UTC midnight).</summary>
    QuotaExceeded = 19,
    /// <summary>No valid API key came with a request that needs one (<c>Auth:Mode=ApiKey</c>; deleting a file without its delete
    /// token), or the key presented is not one the service knows.</summary>
    Unauthenticated = 20,
    /// <summary>The upload takes no bytes of its own, whatever the credentials: a tus final upload (<c>Upload-Concat: final</c>)
    /// is made of its partial uploads only.</summary>
    ReadOnly = 21,
    /// <summary>Bytes arrived past the upload's declared size: send nothing after its last byte.</summary>
    PastDeclaredSize = 22,
    /// <summary>The server failed in a way it did not expect (a fault of its own, logged with the request; not the store's, which
    /// is <see cref="StorageFailure"/>): retry later; committed bytes are kept.</summary>
    ServerFault = 23,
}
