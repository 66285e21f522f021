namespace DirectDriveX.Grains.Interfaces;

/// <summary>A completed, verified file in the file store.</summary>
[GenerateSerializer, Immutable]
public sealed record StoredFileRecord(
    [property: Id(0)] string FileId,
    [property: Id(1)] string FileName,
    [property: Id(2)] long Size,
    [property: Id(3)] string Sha256,
    [property: Id(4)] string ContentType,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string StoredByNode);
