using Orleans.Runtime.Placement;

namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// Asks that the next new activation be placed on a chosen silo. The hint lives in <see cref="RequestContext"/>
/// only for the scope: dispose it right after the call that activates the grain, so that it does not steer
/// later calls. The session grain also strips it on entry so that it never flows on to the grains it calls.
/// </summary>
public static class UploadPlacementHint
{
    public static IDisposable Target(SiloAddress silo)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        return new Scope();
    }

    public static void Clear() => RequestContext.Remove(IPlacementDirector.PlacementHintKey);

    private sealed class Scope : IDisposable
    {
        public void Dispose() => Clear();
    }
}
