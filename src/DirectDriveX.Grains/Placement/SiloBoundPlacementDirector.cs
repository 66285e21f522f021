using DirectDriveX.Grains.Interfaces;
using Orleans.Runtime.Placement;

namespace DirectDriveX.Grains.Placement;

/// <summary>
/// Activates a <see cref="SiloBoundPlacement"/> grain on the silo its key names, and nowhere else: a budget that
/// described one silo while running on another would be a fiction. A key naming a silo that is not active fails the call.
/// </summary>
public sealed class SiloBoundPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString() ?? string.Empty;
        SiloAddress wanted;
        try
        {
            wanted = MemoryBudgetKey.ToSilo(key);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new OrleansException($"Grain key '{key}' is not a silo address; a silo-bound grain must be keyed by one.", e);
        }

        if (!context.GetCompatibleSilos(target).Contains(wanted))
            throw new OrleansException($"Silo {wanted} is not an active member of the cluster; its silo-bound grain cannot be placed.");
        return Task.FromResult(wanted);
    }
}
