namespace DirectDriveX.Grains.Storage;

/// <summary>Whether the file store can take an upload, pure: its free space, less a margin kept for everything else, less
/// what live uploads were promised and have not yet written, must cover the new upload's declared size.</summary>
public static class StoreSpaceArithmetic
{
    /// <summary>Bytes a new upload may still be promised (may be negative).</summary>
    public static long Promisable(long freeBytes, long marginBytes, long promisedBytes) => freeBytes - marginBytes - promisedBytes;

    public static bool Admits(long freeBytes, long marginBytes, long promisedBytes, long bytes) =>
        bytes <= Promisable(freeBytes, marginBytes, promisedBytes);
}
