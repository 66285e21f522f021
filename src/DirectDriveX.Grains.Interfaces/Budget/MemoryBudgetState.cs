namespace DirectDriveX.Grains.Interfaces;

/// <summary>A node's budget as an operator inspects it (<see cref="IMemoryBudgetGrain.GetState"/>, the Orleans dashboard's
/// grain-state view): its figures, as routing reads them, and every live lease, soonest to expire first.</summary>
[GenerateSerializer, Immutable]
public sealed record MemoryBudgetState(
    [property: Id(0)] MemoryBudgetSnapshot Figures,
    [property: Id(1)] IReadOnlyList<BudgetLease> Leases);
