namespace DirectDriveX.Grains.Interfaces;

/// <param name="Completion">Set when the session completed as it started (an empty file): the stored file.</param>
[GenerateSerializer, Immutable]
public sealed record UploadStartResult(
    [property: Id(0)] UploadSessionInfo? Session,
    [property: Id(1)] UploadRefusal? Refusal,
    [property: Id(2)] CompletionResult? Completion = null)
{
    public bool Accepted => Session is not null;
    public static UploadStartResult Refused(UploadRefusal refusal) => new(null, refusal);
}
