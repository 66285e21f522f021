using DirectDriveX.Grains.Memory;

namespace DirectDriveX.Grains.Budget;

/// <summary>
/// The admission arithmetic, pure: headroom = min(available − reserve, ceiling − used) − leased,
/// where ceiling = total × ceiling% and used = total − available.
/// </summary>
public readonly record struct BudgetArithmetic(long TotalBytes, long AvailableBytes, long ReserveBytes, long CeilingBytes, long LeasedBytes)
{
    public static BudgetArithmetic Of(MemoryReading reading, long reserveBytes, int ceilingPercent, long leasedBytes) =>
        new(reading.TotalBytes, reading.AvailableBytes, reserveBytes, reading.TotalBytes * ceilingPercent / 100, leasedBytes);

    public long UsedBytes => TotalBytes - AvailableBytes;

    public long HeadroomBytes => Math.Min(AvailableBytes - ReserveBytes, CeilingBytes - UsedBytes) - LeasedBytes;

    public bool Admits(long requestedBytes) => requestedBytes > 0 && requestedBytes <= HeadroomBytes;
}
