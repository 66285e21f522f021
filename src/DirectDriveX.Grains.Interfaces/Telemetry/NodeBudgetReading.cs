namespace DirectDriveX.Grains.Interfaces.Telemetry;

/// <summary>One node's budget figures as the per-node gauges report them.</summary>
/// <param name="Node">The silo's name (the <c>node</c> tag).</param>
public readonly record struct NodeBudgetReading(string Node, long HeadroomBytes, long LeasedBytes)
{
    public static NodeBudgetReading From(MemoryBudgetSnapshot snapshot) =>
        new(snapshot.NodeName, snapshot.HeadroomBytes, snapshot.LeasedBytes);
}
