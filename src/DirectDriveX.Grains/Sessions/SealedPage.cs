namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// A page of a session's oldest committed parts, sealed: parts no commit can replace any more, kept in a record of their own
/// beside the session's (<see cref="SealedPartsRecord"/>, grain state <see cref="StateName"/> of the session's grain storage), so
/// that a commit writes the session's tail of parts and this short entry instead of every part recorded so far. Only pages
/// listed in the session's fenced state count: the epoch in the name keeps a page written by a superseded activation from
/// ever overwriting one the live activation listed.
/// </summary>
/// <param name="Epoch">The fencing epoch of the activation that sealed it.</param>
/// <param name="Index">Its place among the session's pages (0 first).</param>
/// <param name="Start">The offset of its first part's first byte.</param>
/// <param name="End">The offset past its last part's last byte.</param>
/// <param name="Count">How many parts it holds.</param>
/// <param name="WrittenAt">When its record was last written: it expires <c>Uploads:SessionRecordLifetime</c> after that, and a
/// live session writes it again before (<see cref="PartPaging.Stale"/>).</param>
[GenerateSerializer, Immutable]
public sealed record SealedPage(
    [property: Id(0)] int Epoch,
    [property: Id(1)] int Index,
    [property: Id(2)] long Start,
    [property: Id(3)] long End,
    [property: Id(4)] int Count,
    [property: Id(5)] DateTimeOffset WrittenAt)
{
    /// <summary>The name of its grain state. The slash keeps it with the session's record in a store that files records by state
    /// name (<see cref="Storage.FileGrainStorage"/>: same directory, same lifetime); Redis takes it as part of the key.</summary>
    public string StateName => $"{UploadSessionGrain.StateName}/parts-{Epoch}-{Index}";
}
