namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// The terms of one session: the chunk size, the bytes it reserves and so may hold in flight, and how many chunks that is.
/// The reservation is the session's in-flight window: it is never less than one chunk, so that even a tiny file can move.
/// </summary>
public sealed record ChunkPlan(int ChunkSize, long ReservedBytes, int MaxChunksInFlight)
{
    /// <param name="size">Declared file size, positive.</param>
    /// <param name="minChunkBytes">Smallest chunk the node deals in (a tier reservation below it is raised to it).</param>
    /// <param name="maxChunkBytes">Largest chunk one grain call may carry.</param>
    public static ChunkPlan For(long size, int minChunkBytes, int maxChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minChunkBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkBytes, minChunkBytes);

        var tier = TieredReservationPolicy.ReservationFor(size);
        var chunk = (int)Math.Min(Math.Clamp(tier, minChunkBytes, maxChunkBytes), size);
        var reserved = Math.Max(tier, chunk);
        var inFlight = (int)Math.Max(1, reserved / chunk);
        return new ChunkPlan(chunk, reserved, inFlight);
    }
}
