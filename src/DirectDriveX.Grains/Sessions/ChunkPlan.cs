using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// The terms of one session: the chunk size (the unit of acknowledgement and the largest WebSocket message), the window
/// (how many chunks a client may have sent and not yet acknowledged), and the bytes reserved.
/// One rule: the chunk is half the tier's reservation, clamped to [min, max] and never more than the file; the window is
/// the reservation in whole chunks, at least two (so no file is stop-and-wait) and no more than the file has; the
/// reservation is raised to cover the window when two chunks are more than the tier. An empty file reserves nothing and is
/// complete once created; its terms still name a chunk (the smallest) and a window of one, so that no client divides by zero.
/// </summary>
public sealed record ChunkPlan(int ChunkSize, long ReservedBytes, int MaxChunksInFlight)
{
    /// <summary>The window in bytes.</summary>
    public long WindowBytes => (long)ChunkSize * MaxChunksInFlight;

    /// <param name="size">Declared file size, 0 or more.</param>
    /// <param name="minChunkBytes">Smallest chunk the node deals in.</param>
    /// <param name="maxChunkBytes">Largest chunk (the node's largest pool buffer, and the configured maximum).</param>
    public static ChunkPlan For(long size, int minChunkBytes, int maxChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minChunkBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkBytes, minChunkBytes);
        if (size == 0) return new ChunkPlan(minChunkBytes, 0, 1);

        var tier = TieredReservationPolicy.ReservationFor(size);
        var chunk = (int)Math.Min(Math.Clamp(tier / 2, minChunkBytes, maxChunkBytes), size);
        var chunksInFile = (size + chunk - 1) / chunk;
        var window = (int)Math.Min(chunksInFile, Math.Max(2, tier / chunk));
        var reserved = Math.Max(tier, (long)window * chunk);
        return new ChunkPlan(chunk, reserved, window);
    }

    /// <summary>The plan of an upload created without its length (planned as <paramref name="created"/>, for the largest file it
    /// might become) once its length, <paramref name="size"/>, is declared: its chunk stays (its clients and the store's parts
    /// are cut by it), and the reservation comes down to the tier of <paramref name="size"/> by the same rule (whole chunks, at
    /// least two unless the file has fewer), never above what was reserved.</summary>
    public static ChunkPlan Retier(ChunkPlan created, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var chunk = created.ChunkSize;
        var tier = TieredReservationPolicy.ReservationFor(size);
        var chunksInFile = Math.Max(1, (size + chunk - 1) / chunk);
        var window = (int)Math.Min(chunksInFile, Math.Max(2, tier / chunk));
        var reserved = Math.Min(created.ReservedBytes, Math.Max(tier, (long)window * chunk));
        window = (int)Math.Max(1, Math.Min(window, reserved / chunk));
        return new ChunkPlan(chunk, reserved, window);
    }
}
