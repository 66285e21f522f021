namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// The answer to <see cref="IUploadSessionGrain.GetParts"/>: every committed part of the upload, in order, covering its committed
/// bytes (read from the session's sealed pages and its tail), or why they are not given.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CommittedParts(
    [property: Id(0)] StagedPart[] Parts,
    [property: Id(1)] UploadRefusal? Refusal)
{
    public static CommittedParts Refused(UploadRefusal refusal) => new([], refusal);
}
