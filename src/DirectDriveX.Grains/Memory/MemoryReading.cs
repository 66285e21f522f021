namespace DirectDriveX.Grains.Memory;

/// <summary>What the host says about memory at one moment: the node's total and what is available now.</summary>
public readonly record struct MemoryReading(long TotalBytes, long AvailableBytes);
