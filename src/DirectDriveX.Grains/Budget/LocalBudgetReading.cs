using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Budget;

/// <summary>The last snapshot this silo's budget grain took, for readers that must not call a grain (metric collection).</summary>
public sealed class LocalBudgetReading
{
    private volatile MemoryBudgetSnapshot? _latest;

    public MemoryBudgetSnapshot? Latest => _latest;

    internal void Publish(MemoryBudgetSnapshot snapshot) => _latest = snapshot;
}
