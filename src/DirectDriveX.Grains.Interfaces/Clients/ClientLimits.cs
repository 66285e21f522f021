namespace DirectDriveX.Grains.Interfaces;

/// <summary>What one client may hold and send: concurrent live sessions, the largest file, and bytes per UTC day
/// (null: no limit). Resolved at the edge from configuration (<c>Clients:*</c>, and an API key's overrides).</summary>
[GenerateSerializer, Immutable]
public sealed record ClientLimits(
    [property: Id(0)] int MaxConcurrentUploads,
    [property: Id(1)] long? MaxFileBytes = null,
    [property: Id(2)] long? BytesPerDay = null);
