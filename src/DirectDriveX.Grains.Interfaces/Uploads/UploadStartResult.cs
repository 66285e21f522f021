namespace DirectDriveX.Grains.Interfaces;

/// <param name="Completion">Set when the session completed as it started (an empty file): the stored file.</param>
/// <param name="Status">The started session's status, as <see cref="IUploadSessionGrain.GetState"/> would give it: a node that
/// writes the bytes itself needs no second call to learn it.</param>
/// <param name="Writing">For a session started by the request that carries its bytes (<see cref="UploadRequest.BodyFollows"/>):
/// the grant of its first writer on the node it started on, as <see cref="IUploadSessionGrain.BeginWriting"/> would give it
/// then, so that node's first writer makes no second call (nor the lease renewal that call makes, a moment after the lease
/// was taken).</param>
[GenerateSerializer, Immutable]
public sealed record UploadStartResult(
    [property: Id(0)] UploadSessionInfo? Session,
    [property: Id(1)] UploadRefusal? Refusal,
    [property: Id(2)] CompletionResult? Completion = null,
    [property: Id(3)] UploadStatus? Status = null,
    [property: Id(4)] WritingGrant? Writing = null)
{
    public bool Accepted => Session is not null;
    public static UploadStartResult Refused(UploadRefusal refusal) => new(null, refusal);
}
