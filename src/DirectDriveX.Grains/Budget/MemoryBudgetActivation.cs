using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Budget;

/// <summary>Activates this silo's budget grain as the silo starts, so every member has a budget before its first upload.</summary>
public sealed class MemoryBudgetActivation(IGrainFactory grains, ILocalSiloDetails silo) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken) =>
        grains.BudgetOf(silo.SiloAddress).GetSnapshot();
}
