namespace DirectDriveX.Grains.Interfaces;

/// <summary>What a client declares when it starts an upload.</summary>
/// <param name="FileName">Display name only: never used to build a path.</param>
/// <param name="Size">Declared size in bytes; must be &gt; 0 and ≤ the configured maximum.</param>
/// <param name="ContentType">Optional MIME type.</param>
/// <param name="Sha256">Optional lowercase hex SHA-256 the completed file must match.</param>
/// <param name="Client">Who starts it and their limits; null only for callers inside the cluster (tests, tools), which are
/// not counted.</param>
[GenerateSerializer, Immutable]
public sealed record UploadRequest(
    [property: Id(0)] string FileName,
    [property: Id(1)] long Size,
    [property: Id(2)] string? ContentType = null,
    [property: Id(3)] string? Sha256 = null,
    [property: Id(4)] UploadClient? Client = null);
