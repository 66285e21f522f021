using DirectDriveX.Node.Buffers;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Buffers;

public class ChunkBufferPoolTests
{
    private const int Slice = ChunkBufferPool.BufferSize;

    private static ChunkBufferPool Pool(int max = 15, double waitSeconds = 5) =>
        new(Options.Create(new ChunkBufferPoolOptions { MaxBuffers = max, WaitTimeout = TimeSpan.FromSeconds(waitSeconds) }));

    [Fact]
    public async Task Allocates_lazily_buffers_of_one_slice_of_a_chunk()
    {
        var pool = Pool();
        Assert.Equal(0, pool.Statistics.BuffersAllocated);
        using var first = await pool.RentAsync(CancellationToken.None);
        using var second = await pool.RentAsync(CancellationToken.None);
        Assert.Equal(new ChunkBufferPoolStatistics(2, 2L * Slice, 2, 15, 0), pool.Statistics);
        Assert.Equal(256 * 1024, first!.Memory.Length);
    }

    [Fact]
    public async Task Returned_buffers_are_reused_not_reallocated()
    {
        var pool = Pool();
        (await pool.RentAsync(CancellationToken.None))!.Dispose();
        (await pool.RentAsync(CancellationToken.None))!.Dispose();
        Assert.Equal(1, pool.Statistics.BuffersAllocated);
        Assert.Equal(0, pool.Statistics.BuffersInUse);
    }

    [Fact]
    public async Task Never_holds_more_than_the_cap_and_refuses_after_the_deadline()
    {
        var pool = Pool(waitSeconds: 0.2);
        var held = new List<ChunkBuffer>();
        for (var i = 0; i < 15; i++) held.Add((await pool.RentAsync(CancellationToken.None))!);
        Assert.Equal(15, pool.Statistics.BuffersAllocated);
        Assert.Equal(15L * Slice, pool.Statistics.BytesInUse);
        Assert.Null(await pool.RentAsync(CancellationToken.None));
        Assert.Equal(0, pool.Statistics.Waiting);
        held.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task A_waiter_is_served_when_a_buffer_comes_back()
    {
        var pool = Pool(max: 1, waitSeconds: 30);
        var first = (await pool.RentAsync(CancellationToken.None))!;
        var waiting = pool.RentAsync(CancellationToken.None).AsTask();
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
        var held = (await pool.RentAsync(CancellationToken.None))!;
        var firstWaiter = pool.RentAsync(CancellationToken.None).AsTask();
        var secondWaiter = pool.RentAsync(CancellationToken.None).AsTask();
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
        using var held = await pool.RentAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiting = pool.RentAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, pool.Statistics.Waiting);
    }

    [Fact]
    public async Task Disposing_twice_returns_once()
    {
        var pool = Pool();
        var buffer = (await pool.RentAsync(CancellationToken.None))!;
        buffer.Dispose();
        buffer.Dispose();
        Assert.Equal(0, pool.Statistics.BuffersInUse);
        Assert.Equal(0, pool.Statistics.BytesInUse);
    }
}
