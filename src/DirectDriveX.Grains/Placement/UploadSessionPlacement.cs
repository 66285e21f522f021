using Orleans.Placement;

namespace DirectDriveX.Grains.Placement;

/// <summary>Places an upload session on the silo named by the caller's placement hint (the gateway's routing choice), else locally.</summary>
[GenerateSerializer, Immutable]
public sealed class UploadSessionPlacement : PlacementStrategy
{
    public static UploadSessionPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class UploadSessionPlacementAttribute() : PlacementAttribute(UploadSessionPlacement.Instance);
