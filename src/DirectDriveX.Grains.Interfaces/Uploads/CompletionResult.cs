namespace DirectDriveX.Grains.Interfaces;

[GenerateSerializer, Immutable]
public sealed record CompletionResult(
    [property: Id(0)] StoredFileRecord? File,
    [property: Id(1)] UploadRefusal? Refusal)
{
    public bool Completed => File is not null;
}
