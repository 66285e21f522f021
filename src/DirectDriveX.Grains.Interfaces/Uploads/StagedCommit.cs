namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// What a store made durable for one commit, for the session grain to record: the parts that now hold the committed bytes
/// (they may start before the commit's offset when they replace earlier, smaller parts: staged pieces of an S3 part that
/// is now whole) and the store's own id of the upload where it has one (an S3 multipart upload id).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StagedCommit(
    [property: Id(0)] StagedPart[] Parts,
    [property: Id(1)] string? StoreUploadId = null);
