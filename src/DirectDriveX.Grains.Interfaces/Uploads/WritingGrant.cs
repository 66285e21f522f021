namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// The answer to <see cref="IUploadSessionGrain.BeginWriting"/>: the fencing epoch the caller's node writes and commits under,
/// the session's status (settled: commits of earlier writers have landed or been refused), and where the store holds the
/// committed bytes.
/// </summary>
/// <param name="Epoch">This activation's fencing epoch: commits and the completion of any other epoch are refused.</param>
/// <param name="Parts">The committed bytes' parts from <paramref name="PartsFrom"/> on, in order (<see cref="StagedLayout"/>): what
/// the writer's staging reads and every part a later commit may replace, not every part (issue 16, round 9): a session whose
/// oldest parts are sealed in pages grants its tail, so a writer opened per request (a tus PATCH, a PUT of one chunk) is
/// granted a bounded list however many parts the upload has. A completion that needs every part asks the session for them
/// (<see cref="IUploadSessionGrain.GetParts"/>).</param>
/// <param name="StoreUploadId">The store's id of the upload (an S3 multipart upload id), once it has one.</param>
/// <param name="CheckInInterval">How long a writer that is receiving bytes may go without a commit before it tells the session
/// it is still receiving (<see cref="IUploadSessionGrain.CheckWriter"/>), so the session neither expires nor parks under it.</param>
/// <param name="SentPartNumber">The highest S3 part number a writer may have sent without recording it
/// (<see cref="IUploadSessionGrain.CheckWriterSending"/>): the writer numbers its parts past it.</param>
/// <param name="PartsFrom">Where <paramref name="Parts"/> begin: 0 when they are every part (a session without sealed pages,
/// every small upload), so its completion needs nothing more.</param>
[GenerateSerializer, Immutable]
public sealed record WritingGrant(
    [property: Id(0)] int Epoch,
    [property: Id(1)] UploadStatus? Status,
    [property: Id(2)] StagedPart[] Parts,
    [property: Id(3)] UploadRefusal? Refusal,
    [property: Id(4)] string? StoreUploadId = null,
    [property: Id(5)] TimeSpan CheckInInterval = default,
    [property: Id(6)] int SentPartNumber = 0,
    [property: Id(7)] long PartsFrom = 0)
{
    public bool Granted => Refusal is null && Status is not null;

    public static WritingGrant Refused(UploadRefusal refusal) => new(0, null, [], refusal);
}
