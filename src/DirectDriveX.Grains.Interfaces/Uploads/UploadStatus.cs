namespace DirectDriveX.Grains.Interfaces;

[GenerateSerializer, Immutable]
public sealed record UploadStatus(
    [property: Id(0)] string UploadId,
    [property: Id(1)] UploadState State,
    [property: Id(2)] long CommittedOffset,
    [property: Id(3)] long Size,
    [property: Id(4)] long ReservedBytes,
    [property: Id(5)] int ChunkSize,
    [property: Id(6)] string? NodeId,
    [property: Id(7)] string? FileName,
    [property: Id(8)] string? ContentType,
    [property: Id(9)] string? FileId,
    [property: Id(10)] UploadRefusal? Failure,
    [property: Id(11)] DateTimeOffset? LastActivityAt);
