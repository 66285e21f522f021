using Orleans.Placement;

namespace DirectDriveX.Grains.Placement;

/// <summary>Places a grain on the silo named by its key (a silo address in parsable form): one grain per silo, on that silo.</summary>
[GenerateSerializer, Immutable]
public sealed class SiloBoundPlacement : PlacementStrategy
{
    public static SiloBoundPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloBoundPlacementAttribute() : PlacementAttribute(SiloBoundPlacement.Instance);
