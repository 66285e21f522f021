using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.Tests.Policy;

public class StoreSpaceArithmeticTests
{
    [Theory]
    [InlineData(1000L, 100L, 0L, 900L, true)]     // exactly what is left after the margin
    [InlineData(1000L, 100L, 0L, 901L, false)]
    [InlineData(1000L, 100L, 400L, 500L, true)]   // live uploads' promises count
    [InlineData(1000L, 100L, 400L, 501L, false)]
    [InlineData(50L, 100L, 0L, 1L, false)]        // less free than the margin: nothing
    public void The_store_takes_an_upload_only_within_free_space_less_margin_less_promises(long free, long margin, long promised, long size, bool admitted)
    {
        Assert.Equal(admitted, StoreSpaceArithmetic.Admits(free, margin, promised, size));
        Assert.Equal(free - margin - promised, StoreSpaceArithmetic.Promisable(free, margin, promised));
    }
}
