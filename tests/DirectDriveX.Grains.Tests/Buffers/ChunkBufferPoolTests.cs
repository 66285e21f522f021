using DirectDriveX.Node.Buffers;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Buffers;

public class ChunkBufferPoolTests
{
    private const int MiB = 1024 * 1024;

    private static ChunkBufferPool Pool(int max = 15, int t8 = 7, int t16 = 15, int t32 = 3, double waitSeconds = 5) =>
        new(Options.Create(new ChunkBufferPoolOptions
        {
            MaxBuffers = max, Max8MiBBuffers = t8, Max16MiBBuffers = t16, Max32MiBBuffers = t32,
            WaitTimeout = TimeSpan.FromSeconds(waitSeconds),
        }));

    [Fact]
    public async Task Allocates_lazily_and_takes_the_smallest_tier_that_fits()
    {
        var pool = Pool();
        Assert.Equal(0, pool.Statistics.BuffersAllocated);
        using var small = await pool.RentAsync(1, CancellationToken.None);
        using var medium = await pool.RentAsync(8 * MiB + 1, CancellationToken.None);
        using var large = await pool.RentAsync(32 * MiB, CancellationToken.None);
        Assert.Equal(new ChunkBufferPoolStatistics(3, (8 + 16 + 32) * MiB, 3, 15, 0), pool.Statistics);
        Assert.Equal(1, small!.Memory.Length);
    }

    [Fact]
    public async Task Returned_buffers_are_reused_not_reallocated()
    {
        var pool = Pool();
        (await pool.RentAsync(MiB, CancellationToken.None))!.Dispose();
        (await pool.RentAsync(MiB, CancellationToken.None))!.Dispose();
        Assert.Equal(1, pool.Statistics.BuffersAllocated);
        Assert.Equal(0, pool.Statistics.BuffersInUse);
    }

    [Fact]
    public async Task Never_holds_more_than_the_cap_across_all_tiers()
    {
        var pool = Pool(waitSeconds: 0.2);
        var held = new List<ChunkBuffer>();
        for (var i = 0; i < 15; i++) held.Add((await pool.RentAsync(4 * MiB, CancellationToken.None))!);
        // 7 of 8 MiB, then 8 of 16 MiB: the total cap of 15, not the 16 MiB tier's own 15, is what stops it.
        Assert.Equal(15, pool.Statistics.BuffersAllocated);
        Assert.Equal(7 * 8 * MiB + 8 * 16 * MiB, pool.Statistics.BytesInUse);
        Assert.Null(await pool.RentAsync(MiB, CancellationToken.None));
        held.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task An_exhausted_tier_gives_a_larger_one_and_then_refuses_after_the_deadline()
    {
        var pool = Pool(max: 15, t8: 0, t16: 0, t32: 1, waitSeconds: 0.2);
        using var only = await pool.RentAsync(MiB, CancellationToken.None);
        Assert.Equal(32 * MiB, pool.Statistics.BytesInUse);
        Assert.Null(await pool.RentAsync(MiB, CancellationToken.None));
        Assert.Equal(0, pool.Statistics.Waiting);
    }

    [Fact]
    public async Task A_waiter_is_served_when_a_buffer_comes_back()
    {
        var pool = Pool(max: 1, waitSeconds: 30);
        var first = (await pool.RentAsync(MiB, CancellationToken.None))!;
        var waiting = pool.RentAsync(MiB, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, pool.Statistics.Waiting);
        first.Dispose();
        using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(second);
        Assert.Equal(1, pool.Statistics.BuffersAllocated);
    }

    [Fact]
    public async Task Waiters_are_served_in_arrival_order()
    {
        var pool = Pool(max: 1, waitSeconds: 30);
        var held = (await pool.RentAsync(MiB, CancellationToken.None))!;
        var firstWaiter = pool.RentAsync(MiB, CancellationToken.None).AsTask();
        var secondWaiter = pool.RentAsync(MiB, CancellationToken.None).AsTask();
        held.Dispose();
        var first = await firstWaiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(secondWaiter.IsCompleted);
        first!.Dispose();
        (await secondWaiter.WaitAsync(TimeSpan.FromSeconds(10)))!.Dispose();
        Assert.Equal(0, pool.Statistics.BuffersInUse);
    }

    [Fact]
    public async Task Cancellation_while_waiting_throws_and_leaves_no_waiter()
    {
        var pool = Pool(max: 1, waitSeconds: 30);
        using var held = await pool.RentAsync(MiB, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiting = pool.RentAsync(MiB, cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, pool.Statistics.Waiting);
    }

    [Fact]
    public async Task Disposing_twice_returns_once()
    {
        var pool = Pool();
        var buffer = (await pool.RentAsync(MiB, CancellationToken.None))!;
        buffer.Dispose();
        buffer.Dispose();
        Assert.Equal(0, pool.Statistics.BuffersInUse);
        Assert.Equal(0, pool.Statistics.BytesInUse);
    }

    [Fact]
    public async Task A_request_larger_than_the_largest_tier_is_a_programming_error()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Pool().RentAsync(32 * MiB + 1, CancellationToken.None).AsTask());
    }
}
