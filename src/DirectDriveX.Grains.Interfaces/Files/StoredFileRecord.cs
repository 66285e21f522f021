namespace DirectDriveX.Grains.Interfaces;

/// <summary>A completed, verified file in the file store.</summary>
/// <param name="UploadedBy">The client whose upload made it (<c>key:{name}</c> or <c>addr:{ip}</c>; null for an upload started
/// inside the cluster): an API key client may delete it (<see cref="FileLifecycle"/>).</param>
/// <param name="DeleteTokenSha256">The SHA-256 (hex) of the delete token its keyless uploader was given once; null when none was.</param>
/// <param name="TusMetadata">tus <c>Upload-Metadata</c> as its upload was created with; null when none was sent.</param>
/// <param name="ResumeTokenSha256">The SHA-256 (hex) of its upload's resume token, kept only when its session keeps no record of
/// its own (a one-request upload's, issue 19): with <paramref name="TusMetadata"/>, what that upload's status and resume
/// calls need (<c>CompletedSession</c>). Null otherwise: the session's own record answers them.</param>
[GenerateSerializer, Immutable]
public sealed record StoredFileRecord(
    [property: Id(0)] string FileId,
    [property: Id(1)] string FileName,
    [property: Id(2)] long Size,
    [property: Id(3)] string Sha256,
    [property: Id(4)] string ContentType,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string StoredByNode,
    [property: Id(7)] string? UploadedBy = null,
    [property: Id(8)] string? DeleteTokenSha256 = null,
    [property: Id(9)] string? TusMetadata = null,
    [property: Id(10)] string? ResumeTokenSha256 = null);
