namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// One run of an upload's committed bytes, staged by the writers of one fencing epoch: from <see cref="Start"/> to the next
/// segment's start (or to the committed offset, for the last). Each epoch's bytes live in a staging file of their own, so a
/// writer of an earlier epoch can never write into the bytes a later one committed.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StagedSegment(
    [property: Id(0)] int Epoch,
    [property: Id(1)] long Start);
