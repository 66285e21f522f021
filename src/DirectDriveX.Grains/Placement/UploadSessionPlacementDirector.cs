using Orleans.Runtime.Placement;
using DirectDriveX.Node.Draining;

namespace DirectDriveX.Grains.Placement;

/// <summary>
/// Honours <see cref="DirectDriveX.Grains.Interfaces.UploadPlacementHint"/> when the hinted silo is compatible; otherwise
/// prefers the silo handling the call, so a session reactivated by a status query lands where it was asked for. A silo
/// that is draining (<see cref="NodeDrain"/>) never places a session on itself: the sessions it lets go reactivate on a
/// survivor. That last rule is why this is not Orleans' own <c>PreferLocalPlacement</c>, which honours the same hint
/// (<see cref="IPlacementDirector.GetPlacementHint"/>) and then prefers the local silo, but would keep placing sessions on a
/// silo that is leaving.
/// </summary>
public sealed class UploadSessionPlacementDirector(NodeDrain drain) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (drain.IsDraining && compatible.Length > 1) compatible = [.. compatible.Where(s => !s.Equals(context.LocalSilo))];
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, compatible) is { } hinted)
            return Task.FromResult(hinted);
        if (compatible.Contains(context.LocalSilo))
            return Task.FromResult(context.LocalSilo);
        return Task.FromResult(compatible[Random.Shared.Next(compatible.Length)]);
    }
}
