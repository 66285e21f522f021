namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// A page of a session's oldest committed parts, sealed: parts no commit can replace any more, kept in a record of their own
/// beside the session's, so that a commit writes the session's tail of parts and this short entry instead of every part
/// recorded so far. A page of level 0 holds parts (<see cref="SealedPartsRecord"/>); a page of level n &gt; 0 holds the entries
/// of a run of pages of level n − 1 (<see cref="SealedPageListRecord"/>), folded so that the session's list of pages stays
/// short however many parts the upload has (<see cref="PartPaging.FoldAt"/>). Records are grain states (<see cref="StateName"/>)
/// of the session's grain storage. Only pages listed in the session's fenced state, and the pages those list, count: the epoch
/// in the name keeps a page written by a superseded activation from ever overwriting one the live activation listed.
/// </summary>
/// <param name="Epoch">The fencing epoch of the activation that sealed or folded it.</param>
/// <param name="Index">The place of its first part among the session's parts (0 first; in a page sealed before page lists, its
/// place among the pages): with the level and the epoch, its name.</param>
/// <param name="Start">The offset of its first part's first byte.</param>
/// <param name="End">The offset past its last part's last byte.</param>
/// <param name="Count">How many parts it holds, in the pages under it for a level above 0.</param>
/// <param name="WrittenAt">When its record was last written, for a level above 0 the earliest of that and of every record under
/// it: each expires <c>Uploads:SessionRecordLifetime</c> after it was written, and a live session writes them again before
/// (<see cref="PartPaging.Stale"/>).</param>
/// <param name="Level">0: its record holds parts; n &gt; 0: its record lists pages of level n − 1.</param>
[GenerateSerializer, Immutable]
public sealed record SealedPage(
    [property: Id(0)] int Epoch,
    [property: Id(1)] int Index,
    [property: Id(2)] long Start,
    [property: Id(3)] long End,
    [property: Id(4)] int Count,
    [property: Id(5)] DateTimeOffset WrittenAt,
    [property: Id(6)] int Level = 0)
{
    /// <summary>The name of its grain state. The slash keeps it with the session's record in a store that files records by state
    /// name (<see cref="Storage.FileGrainStorage"/>: same directory, same lifetime); Redis takes it as part of the key.</summary>
    public string StateName => Level == 0
        ? $"{UploadSessionGrain.StateName}/parts-{Epoch}-{Index}"
        : $"{UploadSessionGrain.StateName}/pages{Level}-{Epoch}-{Index}";
}
