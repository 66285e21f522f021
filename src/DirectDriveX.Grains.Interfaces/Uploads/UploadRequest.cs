namespace DirectDriveX.Grains.Interfaces;

/// <summary>What a client declares when it starts an upload.</summary>
/// <param name="FileName">Display name only: never used to build a path.</param>
/// <param name="Size">Declared size in bytes; 0 or more (an empty file is stored when its session starts) and ≤ the configured maximum.</param>
/// <param name="ContentType">Optional MIME type.</param>
/// <param name="Sha256">Optional lowercase hex SHA-256 the completed file must match.</param>
/// <param name="Client">Who starts it and their limits; null only for callers inside the cluster (tests, tools), which are
/// not counted.</param>
/// <param name="TusMetadata">tus only: the <c>Upload-Metadata</c> header as the client sent it at creation, answered on every
/// HEAD (tus 1.0.0 creation: MUST); null when the client sent none.</param>
/// <param name="TusConcat">tus only: the <c>Upload-Concat</c> header as the client sent it at creation (<c>partial</c>, or
/// <c>final;url url …</c>), answered on every HEAD (concatenation: MUST); null for an upload that is neither.</param>
/// <param name="DeferLength">tus <c>Upload-Defer-Length: 1</c>: the length is not known yet (<paramref name="Size"/> is 0). The
/// session reserves as for the largest file it may become and is told the length later
/// (<see cref="IUploadSessionGrain.DeclareLength"/>).</param>
/// <param name="RequiredNodeId">The node the session must run on, for a caller that writes its bytes there itself (a tus final
/// upload's concatenation, whose id was fixed earlier and may have been activated elsewhere by a status call): a session
/// activated on another node refuses the start with <see cref="RefusalReason.NodeUnavailable"/>, records nothing and
/// migrates to the node named, where the caller's next start finds it. Null: wherever it was placed.</param>
/// <param name="BodyFollows">The request that starts the session carries its bytes, on this node, and its answer names the
/// upload only after them (tus creation-with-upload, multipart): the start is not written on its own but with the first commit
/// or the completion, or before any call that answers about the upload (status, open) (issue 19). Until then, a crash of the
/// node loses a session nobody has heard of: the client's request fails, its staged bytes are swept, its client's count frees
/// the slot (the session <see cref="IUploadSessionGrain.HasEnded"/>), and its lease went with the node.</param>
[GenerateSerializer, Immutable]
public sealed record UploadRequest(
    [property: Id(0)] string FileName,
    [property: Id(1)] long Size,
    [property: Id(2)] string? ContentType = null,
    [property: Id(3)] string? Sha256 = null,
    [property: Id(4)] UploadClient? Client = null,
    [property: Id(5)] string? TusMetadata = null,
    [property: Id(6)] string? TusConcat = null,
    [property: Id(7)] bool DeferLength = false,
    [property: Id(8)] string? RequiredNodeId = null,
    [property: Id(9)] bool BodyFollows = false);
