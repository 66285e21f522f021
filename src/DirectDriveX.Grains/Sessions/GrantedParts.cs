using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// What a writer is granted of its upload's committed parts (pure; issue 16, round 9): <see cref="Parts"/>, which begin at
/// <see cref="From"/> (0: every part). A writer needs of them what its store's staging reads (the file system's last epoch
/// file, S3's last numbered part and the staged pieces after it: <see cref="DirectDriveX.Storage.IUploadStore.PartsForStaging"/>)
/// and every part a later commit may replace (the session's tail, which <see cref="PartPaging"/> keeps bounded); the parts
/// sealed in pages before them only a completion needs, which asks for them (<see cref="IUploadSessionGrain.GetParts"/>).
/// A session without pages grants every part: a small upload's one-request path completes without another call.
/// </summary>
internal readonly record struct GrantedParts(StagedPart[] Parts, long From)
{
    /// <summary>The grant out of the session's tail <paramref name="tail"/>, which begins at <paramref name="tailStart"/> (0: no
    /// pages, the tail is every part), given <paramref name="stagingReadsFrom"/>, where the staging's parts begin in it
    /// (<see cref="DirectDriveX.Storage.IUploadStore.PartsForStaging"/>): the tail, or null when the staging reads a part
    /// sealed before it (then <see cref="OfEvery"/>, with every part read from the pages).</summary>
    public static GrantedParts? OfTail(StagedPart[] tail, long tailStart, int stagingReadsFrom) =>
        tailStart == 0 ? new GrantedParts(tail, 0)
        : stagingReadsFrom >= 0 ? new GrantedParts(tail, tailStart)
        : null;

    /// <summary>The grant out of every part, <paramref name="parts"/>, whose tail begins at <paramref name="tailStart"/>, given
    /// <paramref name="stagingReadsFrom"/>, where the staging's parts begin in them: the parts from there or from the tail,
    /// whichever begins first; every part when the staging reads a part before all of them (-1).</summary>
    public static GrantedParts OfEvery(StagedPart[] parts, long tailStart, int stagingReadsFrom)
    {
        var first = stagingReadsFrom < 0 ? 0 : stagingReadsFrom;
        while (first > 0 && parts[first - 1].End > tailStart) first--; // a later commit may replace it
        return first == 0 ? new GrantedParts(parts, 0)
            : first == parts.Length ? new GrantedParts([], parts[^1].End)
            : new GrantedParts(parts[first..], parts[first].Offset);
    }
}
