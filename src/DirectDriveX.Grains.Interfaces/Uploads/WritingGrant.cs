namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// The answer to <see cref="IUploadSessionGrain.BeginWriting"/>: the fencing epoch the caller's node writes and commits under,
/// the session's status (settled: commits of earlier writers have landed or been refused), and where the staged bytes are.
/// </summary>
/// <param name="Epoch">This activation's fencing epoch: commits and the completion of any other epoch are refused.</param>
/// <param name="Segments">The committed bytes' segments (<see cref="StagedLayout"/>).</param>
[GenerateSerializer, Immutable]
public sealed record WritingGrant(
    [property: Id(0)] int Epoch,
    [property: Id(1)] UploadStatus? Status,
    [property: Id(2)] StagedSegment[] Segments,
    [property: Id(3)] UploadRefusal? Refusal)
{
    public bool Granted => Refusal is null && Status is not null;

    /// <summary>Where this epoch's staging file starts in the upload.</summary>
    public long SegmentStart => StagedLayout.SegmentStart(Segments, Epoch, Status!.CommittedOffset);

    public static WritingGrant Refused(UploadRefusal refusal) => new(0, null, [], refusal);
}
