namespace DirectDriveX.Grains.Interfaces;

/// <summary>The arithmetic behind an admission decision, reported with an <see cref="RefusalReason.InsufficientHeadroom"/> refusal.</summary>
[GenerateSerializer, Immutable]
public sealed record BudgetFigures(
    [property: Id(0)] string NodeId,
    [property: Id(1)] long RequestedBytes,
    [property: Id(2)] long HeadroomBytes,
    [property: Id(3)] long AvailableBytes,
    [property: Id(4)] long ReserveBytes,
    [property: Id(5)] long CeilingBytes,
    [property: Id(6)] long LeasedBytes);
