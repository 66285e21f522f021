namespace DirectDriveX.Grains.Interfaces;

[GenerateSerializer, Immutable]
public sealed record UploadStartResult(
    [property: Id(0)] UploadSessionInfo? Session,
    [property: Id(1)] UploadRefusal? Refusal)
{
    public bool Accepted => Session is not null;
    public static UploadStartResult Refused(UploadRefusal refusal) => new(null, refusal);
}
