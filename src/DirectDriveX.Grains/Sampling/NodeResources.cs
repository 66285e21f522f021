using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Memory;
using DirectDriveX.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Sampling;

/// <summary>
/// The node's memory and store space, sampled off every grain turn: /proc, cgroup files and statvfs are read on a thread-pool
/// thread every <see cref="MemoryBudgetOptions.SampleInterval"/>, and on demand: when a grain is about to refuse on the last
/// sample (<see cref="ReadAsync"/> with <c>fresh</c>), and when the last sample is older than two intervals (the timer fell
/// behind, or none was taken yet). Grains await a sample and never touch a file. Concurrent reads share one. A read that fails
/// (the store's directory gone, an unreadable cgroup file) fails the grain call that asked for it, and the timer logs it and
/// goes on: a node whose probe fails for a while refuses what it cannot measure, and is not stopped by it.
/// </summary>
public sealed partial class NodeResources(IMemoryProbe memory, IStoreSpaceProbe store, TimeProvider clock, IOptions<MemoryBudgetOptions> options,
    ILogger<NodeResources> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private NodeResourceSample? _latest;
    private Task<NodeResourceSample>? _reading;

    private TimeSpan Interval => options.Value.SampleInterval;

    /// <summary>The last sample while it is at most two intervals old, else (or when <paramref name="fresh"/>) one read now.</summary>
    public ValueTask<NodeResourceSample> ReadAsync(bool fresh = false) =>
        !fresh && _latest is { } latest && clock.GetUtcNow() - latest.TakenAt <= Interval * 2
            ? ValueTask.FromResult(latest)
            : new ValueTask<NodeResourceSample>(RefreshAsync());

    /// <summary>A sample read now, on the thread pool (one read serves every caller that asks while it runs).</summary>
    private Task<NodeResourceSample> RefreshAsync()
    {
        lock (_gate)
        {
            if (_reading is { IsCompleted: false } reading) return reading;
            return _reading = Task.Run(Take);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        var failing = false;
        do
        {
            try
            {
                await RefreshAsync().ConfigureAwait(false);
                if (failing) LogSampling();
                failing = false;
            }
            catch (Exception e)
            {
                if (!failing) LogSamplingFailed(e.GetType().Name, e.Message);
                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node cannot read its memory or store space ({Error}: {Detail}); it refuses what it cannot measure and keeps trying every interval")]
    private partial void LogSamplingFailed(string error, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "This node reads its memory and store space again")]
    private partial void LogSampling();

    private NodeResourceSample Take()
    {
        var sample = new NodeResourceSample(memory.Read(), store.AvailableBytes(), clock.GetUtcNow());
        _latest = sample;
        return sample;
    }
}
