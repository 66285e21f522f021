using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Memory;
using DirectDriveX.Grains.Sampling;
using DirectDriveX.Grains.Storage;
using DirectDriveX.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Sampling;

/// <summary>Grains read the node's memory and store space from a sample: a read within two intervals costs no file read, an
/// older sample or a read asked fresh (before a refusal) reads the host again, and reads asked at once share one.</summary>
public class NodeResourcesTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private sealed class CountingHost : IMemoryProbe, IStoreSpaceProbe
    {
        public int MemoryReads;
        public long Available = 1L << 30;
        public TaskCompletionSource? Gate;
        public int FailingReads;

        public MemoryReading Read()
        {
            var read = Interlocked.Increment(ref MemoryReads);
            Gate?.Task.Wait();
            if (read <= FailingReads) throw new IOException($"read {read}: /sys/fs/cgroup/memory.max is gone");
            return new MemoryReading(4L << 30, Interlocked.Read(ref Available));
        }

        public long? AvailableBytes() => 7L << 30;
    }

    private static (NodeResources, CountingHost, OffsetClock) Create()
    {
        var host = new CountingHost();
        var clock = new OffsetClock();
        return (new NodeResources(host, host, clock, Options.Create(new MemoryBudgetOptions { SampleInterval = Interval }),
            NullLogger<NodeResources>.Instance), host, clock);
    }

    [Fact]
    public async Task A_sample_younger_than_two_intervals_is_read_without_touching_the_host()
    {
        var (resources, host, _) = Create();
        var first = await resources.ReadAsync();
        var second = await resources.ReadAsync();
        Assert.Same(first, second);
        Assert.Equal(1, host.MemoryReads);
        Assert.Equal((new MemoryReading(4L << 30, 1L << 30), 7L << 30), (first.Memory, first.StoreFreeBytes));
    }

    [Fact]
    public async Task A_sample_older_than_two_intervals_is_read_again()
    {
        var (resources, host, clock) = Create();
        await resources.ReadAsync();
        host.Available = 2L << 30;
        clock.Advance(Interval * 2 + TimeSpan.FromMilliseconds(1));
        Assert.Equal(2L << 30, (await resources.ReadAsync()).Memory.AvailableBytes);
        Assert.Equal(2, host.MemoryReads);
    }

    [Fact]
    public async Task A_fresh_read_asked_before_a_refusal_reads_the_host_even_when_the_sample_is_young()
    {
        var (resources, host, _) = Create();
        await resources.ReadAsync();
        host.Available = 3L << 30;
        Assert.Equal(3L << 30, (await resources.ReadAsync(fresh: true)).Memory.AvailableBytes);
        Assert.Equal(3L << 30, (await resources.ReadAsync()).Memory.AvailableBytes);
        Assert.Equal(2, host.MemoryReads);
    }

    [Fact]
    public async Task Fresh_reads_asked_while_one_runs_share_it()
    {
        var (resources, host, _) = Create();
        host.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = Enumerable.Range(0, 5).Select(_ => resources.ReadAsync(fresh: true).AsTask()).ToArray();
        host.Gate.SetResult();
        var samples = await Task.WhenAll(reads);
        Assert.All(samples, s => Assert.Same(samples[0], s));
        Assert.Equal(1, host.MemoryReads);
    }

    [Fact]
    public async Task A_read_that_fails_fails_its_caller_and_the_sampling_goes_on()
    {
        var (resources, host, _) = Create();
        host.FailingReads = 2;
        var refused = await Assert.ThrowsAsync<IOException>(() => resources.ReadAsync(fresh: true).AsTask());
        Assert.Equal("read 1: /sys/fs/cgroup/memory.max is gone", refused.Message);

        await resources.StartAsync(CancellationToken.None); // its first read fails too: logged, not the host's end
        try
        {
            var sample = await Eventually.Holds(async () =>
            {
                Assert.False(resources.ExecuteTask!.IsFaulted, resources.ExecuteTask.Exception?.ToString());
                return host.MemoryReads > 2 ? await resources.ReadAsync() : null;
            }, s => s is not null, TimeSpan.FromSeconds(10), "a sample taken after the failing reads");
            Assert.Equal(1L << 30, sample!.Memory.AvailableBytes);
            Assert.False(resources.ExecuteTask!.IsCompleted);
        }
        finally
        {
            await resources.StopAsync(CancellationToken.None);
        }
    }
}
