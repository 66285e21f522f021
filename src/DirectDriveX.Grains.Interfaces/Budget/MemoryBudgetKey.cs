namespace DirectDriveX.Grains.Interfaces;

/// <summary>How a silo's budget grain is named: by the silo's address, so that a restarted silo gets a new budget.</summary>
public static class MemoryBudgetKey
{
    public static string For(SiloAddress silo) => silo.ToParsableString();

    public static SiloAddress ToSilo(string key) => SiloAddress.FromParsableString(key);

    public static IMemoryBudgetGrain BudgetOf(this IGrainFactory grains, SiloAddress silo) =>
        grains.ReferenceTo<IMemoryBudgetGrain>(For(silo));
}
