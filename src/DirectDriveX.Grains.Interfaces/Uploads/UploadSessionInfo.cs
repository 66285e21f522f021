namespace DirectDriveX.Grains.Interfaces;

/// <summary>What a started session tells its client: where it lives and how much it may send at once.</summary>
/// <param name="ResumeToken">The secret that authorises later calls; only returned by Start.</param>
/// <param name="ReservedBytes">The lease held on the node, which is also the session's in-flight window.</param>
/// <param name="ChunkSize">The largest chunk the session accepts in one write.</param>
/// <param name="MaxChunksInFlight">ReservedBytes / ChunkSize, at least one.</param>
/// <param name="FileName">The file's name as the session stored it (sanitised), the name its download will carry.</param>
[GenerateSerializer, Immutable]
public sealed record UploadSessionInfo(
    [property: Id(0)] string UploadId,
    [property: Id(1)] string ResumeToken,
    [property: Id(2)] string NodeId,
    [property: Id(3)] string NodeName,
    [property: Id(4)] long Size,
    [property: Id(5)] long ReservedBytes,
    [property: Id(6)] int ChunkSize,
    [property: Id(7)] int MaxChunksInFlight,
    [property: Id(8)] string? FileName = null);
