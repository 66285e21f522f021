namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// One durable run of an upload's committed bytes, [<see cref="Offset"/>, <see cref="End"/>), as the store that holds it
/// names it: <see cref="Locator"/> says where (a staging file of one fencing epoch, an S3 part number, a staged object, an Azure
/// block) and <see cref="Tag"/> what the store needs to finish with it (an S3 part's ETag, an Azure block id). The session
/// grain keeps the parts in order and covering [0, committed offset); it never reads them: only the store does.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StagedPart(
    [property: Id(0)] long Offset,
    [property: Id(1)] long Length,
    [property: Id(2)] string Locator,
    [property: Id(3)] string? Tag = null)
{
    public long End => Offset + Length;
}
