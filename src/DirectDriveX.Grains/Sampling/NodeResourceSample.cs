using DirectDriveX.Grains.Memory;

namespace DirectDriveX.Grains.Sampling;

/// <summary>The node's memory and its file store's free space (null: an object store, which has no fill level) as read at
/// <paramref name="TakenAt"/>.</summary>
public sealed record NodeResourceSample(MemoryReading Memory, long? StoreFreeBytes, DateTimeOffset TakenAt);
