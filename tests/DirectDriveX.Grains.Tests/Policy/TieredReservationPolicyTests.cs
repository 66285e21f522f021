using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Policy;

public class TieredReservationPolicyTests
{
    [Theory]
    [InlineData(0L, 0L)]                                  // an empty file reserves nothing
    [InlineData(1L, 0L)]
    [InlineData(10_000_000L, 2_000_000L)]                 // 10 MB: 20%
    [InlineData(99_999_999L, 19_999_999L)]                // just under 100 MB: 20%, fraction dropped
    [InlineData(104_857_599L, 20_971_519L)]               // last byte of the small tier
    [InlineData(104_857_600L, 10_485_760L)]               // 100 MiB exactly: 10%
    [InlineData(524_288_000L, 52_428_800L)]               // 500 MiB: 10%
    [InlineData(1_073_741_823L, 107_374_182L)]            // last byte of the medium tier
    [InlineData(1_073_741_824L, 53_687_091L)]             // 1 GiB exactly: 5%
    [InlineData(2_097_152_000L, 104_857_600L)]            // 5% = 104,857,600: the cap itself
    [InlineData(2_530_644_380L, 104_857_600L)]            // the reference design's 2.5 GB file: capped at 100 MiB
    [InlineData(10_737_418_240L, 104_857_600L)]           // 10 GiB: capped
    public void Reserves_the_tier_of_the_size(long size, long expected) =>
        Assert.Equal(expected, TieredReservationPolicy.ReservationFor(size));

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void Refuses_negative_sizes(long size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TieredReservationPolicy.ReservationFor(size));
}
