namespace DirectDriveX.Grains.Interfaces;

/// <summary>One lease of a node's budget: the upload session holding it, its bytes, and when it expires unless renewed.</summary>
[GenerateSerializer, Immutable]
public sealed record BudgetLease(
    [property: Id(0)] string SessionId,
    [property: Id(1)] long Bytes,
    [property: Id(2)] DateTimeOffset ExpiresAt);
