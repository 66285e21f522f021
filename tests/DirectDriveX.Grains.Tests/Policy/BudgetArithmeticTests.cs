using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Memory;

namespace DirectDriveX.Grains.Tests.Policy;

public class BudgetArithmeticTests
{
    private const long GiB = 1024L * 1024 * 1024;
    private const long MiB = 1024L * 1024;

    [Fact]
    public void Headroom_is_the_smaller_of_reserve_and_ceiling_limits_less_leases()
    {
        // 16 GiB host, 10 GiB available: available − reserve = 9.5 GiB; ceiling 12.8 GiB − used 6 GiB = 6.8 GiB.
        var b = BudgetArithmetic.Of(new MemoryReading(16 * GiB, 10 * GiB), 512 * MiB, 80, leasedBytes: 1 * GiB);
        Assert.Equal(16 * GiB * 80 / 100, b.CeilingBytes);
        Assert.Equal(6 * GiB, b.UsedBytes);
        Assert.Equal(16 * GiB * 80 / 100 - 6 * GiB - 1 * GiB, b.HeadroomBytes);
    }

    [Fact]
    public void The_reference_design_4GB_host_has_positive_headroom_without_leases()
    {
        // The Python design assumed 4 GB and reserved 2 GB against ~1.5 GB really available: negative budget.
        // Here: available − reserve = 1 GiB, but the 80% ceiling (3.2 GiB) less 2.5 GiB in use is the tighter limit.
        var b = BudgetArithmetic.Of(new MemoryReading(4 * GiB, 1536 * MiB), 512 * MiB, 80, leasedBytes: 0);
        Assert.Equal(4 * GiB * 80 / 100 - 2560 * MiB, b.HeadroomBytes);
        Assert.Equal(751_619_276L, b.HeadroomBytes);
        Assert.True(b.Admits(100 * MiB));
    }

    [Fact]
    public void A_host_under_pressure_has_negative_headroom_and_admits_nothing()
    {
        var b = BudgetArithmetic.Of(new MemoryReading(4 * GiB, 200 * MiB), 512 * MiB, 80, leasedBytes: 0);
        Assert.Equal(Math.Min(200 * MiB - 512 * MiB, 4 * GiB * 80 / 100 - 3896 * MiB), b.HeadroomBytes);
        Assert.True(b.HeadroomBytes < 0);
        Assert.False(b.Admits(1));
    }

    [Fact]
    public void Admits_exactly_up_to_the_headroom()
    {
        var b = BudgetArithmetic.Of(new MemoryReading(10 * GiB, 10 * GiB), 0, 100, leasedBytes: 0);
        Assert.True(b.Admits(10 * GiB));
        Assert.False(b.Admits(10 * GiB + 1));
        Assert.False(b.Admits(0));
    }
}
