namespace DirectDriveX.Grains.Interfaces;

/// <summary>A client's count as its grain holds it: live sessions (their upload ids) and bytes admitted today (UTC).</summary>
[GenerateSerializer, Immutable]
public sealed record ClientUsage(
    [property: Id(0)] string ClientId,
    [property: Id(1)] IReadOnlyList<string> LiveUploads,
    [property: Id(2)] long BytesToday,
    [property: Id(3)] DateOnly Day);
