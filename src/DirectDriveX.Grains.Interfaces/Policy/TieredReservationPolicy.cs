namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// How much memory an upload reserves on its node, by declared size:
/// under 100 MiB, 20% of the size; from 100 MiB up to 1 GiB, 10%; from 1 GiB, 5% capped at 100 MiB. An empty file reserves
/// nothing: no byte of it ever passes through a node's memory.
/// Pure arithmetic on whole bytes (fractions are dropped), shared by the silo (which reserves) and the gateway (which routes).
/// </summary>
public static class TieredReservationPolicy
{
    public const long MediumTierStart = 100L * 1024 * 1024;   // 104,857,600
    public const long LargeTierStart = 1024L * 1024 * 1024;   // 1,073,741,824
    public const long LargeTierCap = 100L * 1024 * 1024;      // 104,857,600

    /// <summary>The tier's reservation for a file of <paramref name="size"/> bytes (size must not be negative; 0 reserves 0).</summary>
    public static long ReservationFor(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return size switch
        {
            < MediumTierStart => size / 5,
            < LargeTierStart => size / 10,
            _ => Math.Min(size / 20, LargeTierCap),
        };
    }
}
