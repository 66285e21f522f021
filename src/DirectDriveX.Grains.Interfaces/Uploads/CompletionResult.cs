namespace DirectDriveX.Grains.Interfaces;

/// <param name="DeleteToken">The token that authorises deleting the file, for a client without an API key: given by the call that
/// completed the upload only (never again: the record keeps its SHA-256 alone).</param>
[GenerateSerializer, Immutable]
public sealed record CompletionResult(
    [property: Id(0)] StoredFileRecord? File,
    [property: Id(1)] UploadRefusal? Refusal,
    [property: Id(2)] string? DeleteToken = null)
{
    public bool Completed => File is not null;
}
