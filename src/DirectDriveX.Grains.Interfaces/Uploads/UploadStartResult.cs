namespace DirectDriveX.Grains.Interfaces;

/// <param name="Completion">Set when the session completed as it started (an empty file): the stored file.</param>
/// <param name="Status">The started session's status, as <see cref="IUploadSessionGrain.GetState"/> would give it: a node that
/// writes the bytes itself needs no second call to learn it.</param>
[GenerateSerializer, Immutable]
public sealed record UploadStartResult(
    [property: Id(0)] UploadSessionInfo? Session,
    [property: Id(1)] UploadRefusal? Refusal,
    [property: Id(2)] CompletionResult? Completion = null,
    [property: Id(3)] UploadStatus? Status = null)
{
    public bool Accepted => Session is not null;
    public static UploadStartResult Refused(UploadRefusal refusal) => new(null, refusal);
}
