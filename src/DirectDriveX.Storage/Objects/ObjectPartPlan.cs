namespace DirectDriveX.Storage.Objects;

/// <summary>
/// How an object store cuts an upload into parts. Pure. Every part but the last has one size (Cloudflare R2 requires it): a
/// whole number of chunks (so a writer's commits, which end on chunk boundaries, end on part boundaries), at least S3's
/// 5 MiB minimum, and large enough that the file needs at most <c>maxParts</c> of them (a 2 TB file in chunks of 32 MiB:
/// parts of 224 MiB). The bytes of a part are collected on the writer's scratch disk until it is whole.
/// </summary>
public static class ObjectPartPlan
{
    /// <summary>S3's smallest part (all but the last).</summary>
    public const long MinPartBytes = 5L * 1024 * 1024;

    /// <summary>S3's largest part number.</summary>
    public const int MaxPartNumber = 10_000;

    public static long PartSize(long size, int chunkSize, int maxParts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var needed = Math.Max(MinPartBytes, (size + maxParts - 1) / maxParts);
        return (needed + chunkSize - 1) / chunkSize * chunkSize; // whole chunks: a writer's chunks end on part boundaries
    }

    /// <summary>The index of the part that holds <paramref name="offset"/>.</summary>
    public static long IndexOf(long offset, long partSize) => offset / partSize;

    /// <summary>The bytes [start, end) of part <paramref name="index"/> of a file of <paramref name="size"/> bytes.</summary>
    public static (long Start, long End) Bounds(long index, long partSize, long size) =>
        (index * partSize, Math.Min(size, (index + 1) * partSize));
}
