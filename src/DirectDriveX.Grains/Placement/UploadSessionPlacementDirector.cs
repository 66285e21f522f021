using Orleans.Runtime.Placement;

namespace DirectDriveX.Grains.Placement;

/// <summary>
/// Honours <see cref="DirectDriveX.Grains.Interfaces.UploadPlacementHint"/> when the hinted silo is compatible; otherwise
/// prefers the silo handling the call, so a session reactivated by a status query lands where it was asked for.
/// </summary>
public sealed class UploadSessionPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, compatible) is { } hinted)
            return Task.FromResult(hinted);
        if (compatible.Contains(context.LocalSilo))
            return Task.FromResult(context.LocalSilo);
        return Task.FromResult(compatible[Random.Shared.Next(compatible.Length)]);
    }
}
