using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Policy;

public class ChunkPlanTests
{
    private const int Min = 64 * 1024;
    private const int Max = 8 * 1024 * 1024;

    [Fact]
    public void A_large_file_gets_full_chunks_and_a_window_of_its_capped_reservation()
    {
        var plan = ChunkPlan.For(2_530_644_380L, Min, Max);
        Assert.Equal(new ChunkPlan(Max, 104_857_600L, 12), plan);
    }

    [Fact]
    public void A_medium_file_holds_its_ten_percent_in_flight()
    {
        var plan = ChunkPlan.For(524_288_000L, Min, Max);
        Assert.Equal(new ChunkPlan(Max, 52_428_800L, 6), plan);
    }

    [Fact]
    public void A_small_file_gets_one_chunk_of_its_reservation()
    {
        var plan = ChunkPlan.For(10_000_000L, Min, Max);
        Assert.Equal(new ChunkPlan(2_000_000, 2_000_000L, 1), plan);
    }

    [Fact]
    public void A_reservation_below_the_minimum_chunk_is_raised_to_one_chunk()
    {
        var plan = ChunkPlan.For(100_000L, Min, Max); // tier: 20,000 bytes
        Assert.Equal(new ChunkPlan(Min, Min, 1), plan);
    }

    [Fact]
    public void A_file_smaller_than_a_chunk_is_one_chunk_of_its_own_size()
    {
        var plan = ChunkPlan.For(1_000L, Min, Max);
        Assert.Equal(new ChunkPlan(1_000, 1_000L, 1), plan);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(99_999_999L)]
    [InlineData(1_073_741_824L)]
    [InlineData(10_737_418_240L)]
    public void The_window_never_holds_more_than_the_reservation(long size)
    {
        var plan = ChunkPlan.For(size, Min, Max);
        Assert.True((long)plan.ChunkSize * plan.MaxChunksInFlight <= plan.ReservedBytes);
        Assert.True(plan.ReservedBytes >= TieredReservationPolicy.ReservationFor(size));
        Assert.True(plan.MaxChunksInFlight >= 1);
    }
}
