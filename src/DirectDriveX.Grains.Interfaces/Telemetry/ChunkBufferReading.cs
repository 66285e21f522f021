namespace DirectDriveX.Grains.Interfaces.Telemetry;

/// <summary>One node's chunk buffer pool as the buffers-in-use gauge reports it.</summary>
/// <param name="Node">The silo's name (the <c>node</c> tag).</param>
public readonly record struct ChunkBufferReading(string Node, int BuffersInUse);
