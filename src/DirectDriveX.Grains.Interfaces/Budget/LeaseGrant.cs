namespace DirectDriveX.Grains.Interfaces;

/// <summary>The answer to <see cref="IMemoryBudgetGrain.TryReserve"/>: a lease (with the node's headroom once it is counted),
/// or a typed refusal with the figures.</summary>
[GenerateSerializer, Immutable]
public sealed record LeaseGrant(
    [property: Id(0)] bool Granted,
    [property: Id(1)] long Bytes,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] UploadRefusal? Refusal,
    [property: Id(4)] long HeadroomLeftBytes = 0)
{
    public static LeaseGrant Refused(UploadRefusal refusal) => new(false, 0, default, refusal);
}
