using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Testing;

/// <summary>A file store with a fixed amount of free space: tests declare large uploads without depending on the test
/// machine's disk, and a small value exercises InsufficientStorage exactly.</summary>
public sealed class FixedStoreSpace(long availableBytes) : IStoreSpaceProbe
{
    public const long Plenty = 1L << 50; // 1 PiB

    public long? AvailableBytes() => availableBytes;
}
