using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;

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
    public void A_small_file_gets_a_window_of_two_half_reservation_chunks()
    {
        var plan = ChunkPlan.For(10_000_000L, Min, Max);
        Assert.Equal(new ChunkPlan(1_000_000, 2_000_000L, 2), plan);
    }

    [Fact]
    public void Files_that_used_to_be_stop_and_wait_get_two_chunks_in_flight_within_their_tier()
    {
        Assert.Equal(new ChunkPlan(Max, 18_874_368L, 2), ChunkPlan.For(94_371_840L, Min, Max));       // 90 MiB: 20% = 18 MiB
        Assert.Equal(new ChunkPlan(6_291_456, 12_582_912L, 2), ChunkPlan.For(125_829_120L, Min, Max)); // 120 MiB: 10% = 12 MiB
    }

    [Fact]
    public void A_reservation_below_two_minimum_chunks_is_raised_to_the_window()
    {
        var plan = ChunkPlan.For(100_000L, Min, Max); // tier: 20,000 bytes
        Assert.Equal(new ChunkPlan(Min, 2 * Min, 2), plan);
    }

    [Fact]
    public void A_file_smaller_than_a_chunk_is_one_chunk_of_its_own_size()
    {
        var plan = ChunkPlan.For(1_000L, Min, Max);
        Assert.Equal(new ChunkPlan(1_000, 1_000L, 1), plan);
    }

    [Theory]
    [InlineData(20L * 1024 * 1024, 16L * 1024 * 1024, 2)]   // 20 MiB: tier 4 MiB, but two 8 MiB chunks in flight
    [InlineData(500L * 1024 * 1024, 50L * 1024 * 1024, 6)]  // 500 MiB: its own tier, 10%
    [InlineData(5L * 1024 * 1024 * 1024, 100L * 1024 * 1024, 12)] // the top tier: as reserved
    [InlineData(1_000L, 8L * 1024 * 1024, 1)]               // smaller than one chunk: one chunk
    public void A_declared_length_keeps_the_chunk_and_brings_the_reservation_down_to_its_tier(long size, long reserved, int window)
    {
        var created = ChunkPlan.For(10L * 1024 * 1024 * 1024, Min, Max); // created without its length, for up to 10 GiB
        Assert.Equal(new ChunkPlan(Max, 100L * 1024 * 1024, 12), created);
        var declared = ChunkPlan.Retier(created, size);
        Assert.Equal(new ChunkPlan(Max, reserved, window), declared);
        Assert.True(declared.WindowBytes <= declared.ReservedBytes && declared.ReservedBytes <= created.ReservedBytes);
    }

    [Fact]
    public void A_declared_length_never_reserves_more_than_was_reserved() =>
        Assert.Equal(100L * 1024 * 1024, ChunkPlan.Retier(ChunkPlan.For(10L * 1024 * 1024 * 1024, Min, Max), 1_073_741_823L).ReservedBytes); // its tier: 102.4 MiB

    [Fact]
    public void An_empty_file_reserves_nothing_and_still_names_the_smallest_chunk_and_a_window_of_one()
    {
        Assert.Equal(new ChunkPlan(Min, 0L, 1), ChunkPlan.For(0L, Min, Max));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkPlan.For(-1L, Min, Max));
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

    [Theory]
    [InlineData(65_537L)]
    [InlineData(1_000_000L)]
    [InlineData(83_886_080L)]
    [InlineData(104_857_600L)]
    [InlineData(167_772_160L)]
    [InlineData(2_147_483_648L)]
    public void No_file_of_more_than_one_chunk_is_stop_and_wait(long size)
    {
        var plan = ChunkPlan.For(size, Min, Max);
        Assert.True(plan.MaxChunksInFlight >= 2, $"{size} bytes: window of {plan.MaxChunksInFlight}");
        Assert.Equal((long)plan.ChunkSize * plan.MaxChunksInFlight, plan.WindowBytes);
        Assert.True(plan.WindowBytes <= plan.ReservedBytes);
    }
}
