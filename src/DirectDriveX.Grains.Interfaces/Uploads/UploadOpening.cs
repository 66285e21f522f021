namespace DirectDriveX.Grains.Interfaces;

/// <summary>The answer to <see cref="IUploadSessionGrain.Open"/>: the session's status when the caller may use it, else why not.</summary>
[GenerateSerializer, Immutable]
public sealed record UploadOpening(
    [property: Id(0)] UploadStatus? Status,
    [property: Id(1)] UploadRefusal? Refusal)
{
    public bool Opened => Status is not null && Refusal is null;
}
