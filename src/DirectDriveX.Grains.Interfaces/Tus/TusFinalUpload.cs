namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// A tus final upload created before all its partial uploads were complete (concatenation-unfinished): what it is made of
/// and what its session will be started with once they are. Its URL names the final (<see cref="ITusFinalUploadGrain"/>'s
/// key); its bytes are one ordinary session, <paramref name="SessionId"/>, started when the last partial completes.
/// </summary>
/// <param name="SessionId">The id of the session that concatenates the partial uploads: the final's own id (fixed at creation, so that whoever
/// starts it, and whoever resumes a copy cut short, works on the one session).</param>
/// <param name="PartialIds">The partial uploads' ids, in the order their bytes are concatenated (the creation proved each
/// one's resume token).</param>
/// <param name="TusConcat">The <c>Upload-Concat</c> header as sent at creation, answered on HEAD.</param>
/// <param name="TusMetadata">The <c>Upload-Metadata</c> header as sent at creation, answered on HEAD.</param>
[GenerateSerializer, Immutable]
public sealed record TusFinalUpload(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string[] PartialIds,
    [property: Id(2)] string FileName,
    [property: Id(3)] string? ContentType,
    [property: Id(4)] UploadClient? Client,
    [property: Id(5)] string TusConcat,
    [property: Id(6)] string? TusMetadata,
    [property: Id(7)] DateTimeOffset CreatedAt);

/// <summary>The answer to <see cref="ITusFinalUploadGrain.Open"/>: the final upload when the caller may see it, else why not
/// (<see cref="RefusalReason.NotFound"/>, <see cref="RefusalReason.Unauthorized"/>, or <see cref="RefusalReason.Aborted"/>
/// once terminated).</summary>
[GenerateSerializer, Immutable]
public sealed record TusFinalOpening(
    [property: Id(0)] TusFinalUpload? Upload,
    [property: Id(1)] UploadRefusal? Refusal);
