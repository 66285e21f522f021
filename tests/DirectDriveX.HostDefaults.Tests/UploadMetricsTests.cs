using System.Diagnostics.Metrics;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.HostDefaults.Tests;

[Collection(MeterCollection.Name)]
public sealed class UploadMetricsTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly RecordedMeasurements _recorded;
    private readonly UploadMetrics _metrics;

    public UploadMetricsTests()
    {
        _services = new ServiceCollection().AddMetrics().AddSingleton<UploadMetrics>().BuildServiceProvider();
        _recorded = new RecordedMeasurements(_services.GetRequiredService<IMeterFactory>());
        _metrics = _services.GetRequiredService<UploadMetrics>();
    }

    public void Dispose()
    {
        _recorded.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Bytes_received_are_counted_in_bytes()
    {
        _metrics.RecordBytesReceived(8 * 1024 * 1024);
        _metrics.RecordBytesReceived(1234);

        var recorded = _recorded.Of(UploadMetricNames.BytesReceived);
        Assert.Equal([8d * 1024 * 1024, 1234d], recorded.Select(m => m.Value));
        Assert.All(recorded, m => Assert.Equal("By", m.Unit));
    }

    [Fact]
    public void Negative_byte_counts_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.RecordBytesReceived(-1));
        Assert.Empty(_recorded.Of(UploadMetricNames.BytesReceived));
    }

    [Fact]
    public void Started_and_completed_uploads_are_counted_without_tags()
    {
        _metrics.UploadStarted();
        _metrics.UploadStarted();
        _metrics.UploadCompleted();

        Assert.Equal(2, _recorded.Of(UploadMetricNames.UploadsStarted).Sum(m => m.Value));
        var completed = Assert.Single(_recorded.Of(UploadMetricNames.UploadsCompleted));
        Assert.Equal(1, completed.Value);
        Assert.Empty(completed.Tags);
    }

    [Fact]
    public void Refusals_carry_the_reason_in_snake_case()
    {
        _metrics.UploadRefused(RefusalReason.InsufficientHeadroom);
        _metrics.UploadRefused(RefusalReason.FileTooLarge);

        var reasons = _recorded.Of(UploadMetricNames.UploadsRefused).Select(m => m.Tag(UploadMetricNames.ReasonTag));
        Assert.Equal(["insufficient_headroom", "file_too_large"], reasons);
    }

    [Fact]
    public void Failures_carry_the_reason_in_snake_case()
    {
        _metrics.UploadFailed(RefusalReason.HashMismatch);

        var failed = Assert.Single(_recorded.Of(UploadMetricNames.UploadsFailed));
        Assert.Equal("hash_mismatch", failed.Tag(UploadMetricNames.ReasonTag));
    }

    [Fact]
    public void Every_refusal_reason_has_its_own_tag_value()
    {
        var tags = Enum.GetValues<RefusalReason>().Select(RefusalReasonTag.Of).ToList();

        Assert.DoesNotContain("other", tags);
        Assert.Equal(tags.Count, tags.Distinct().Count());
        Assert.All(tags, tag => Assert.Matches("^[a-z]+(_[a-z0-9]+)*$", tag));
    }

    [Fact]
    public void Active_sessions_go_up_and_down()
    {
        _metrics.SessionOpened();
        _metrics.SessionOpened();
        _metrics.SessionClosed();

        var recorded = _recorded.Of(UploadMetricNames.ActiveSessions);
        Assert.Equal([1d, 1d, -1d], recorded.Select(m => m.Value));
        Assert.Equal(1, recorded.Sum(m => m.Value));
    }

    [Fact]
    public void Chunk_write_latency_is_recorded_in_seconds()
    {
        _metrics.RecordChunkWrite(TimeSpan.FromMilliseconds(250));

        var recorded = Assert.Single(_recorded.Of(UploadMetricNames.ChunkWriteDuration));
        Assert.Equal(0.25, recorded.Value, precision: 9);
        Assert.Equal("s", recorded.Unit);
    }

    [Fact]
    public void Node_gauges_report_every_node_of_every_source()
    {
        using var silo = _metrics.ObserveNodeBudgets(() =>
        [
            new NodeBudgetReading("silo-a", HeadroomBytes: 3_000_000_000, LeasedBytes: 104_857_600),
            new NodeBudgetReading("silo-b", HeadroomBytes: -5, LeasedBytes: 0),
        ]);

        _recorded.CollectObservables();

        var headroom = _recorded.Of(UploadMetricNames.NodeHeadroom)
            .ToDictionary(m => (string)m.Tag(UploadMetricNames.NodeTag)!, m => m.Value);
        var leased = _recorded.Of(UploadMetricNames.NodeLeased)
            .ToDictionary(m => (string)m.Tag(UploadMetricNames.NodeTag)!, m => m.Value);
        Assert.Equal(new Dictionary<string, double> { ["silo-a"] = 3_000_000_000, ["silo-b"] = -5 }, headroom);
        Assert.Equal(new Dictionary<string, double> { ["silo-a"] = 104_857_600, ["silo-b"] = 0 }, leased);
    }

    [Fact]
    public void Node_gauges_read_from_a_snapshot()
    {
        var snapshot = new MemoryBudgetSnapshot("S127.0.0.1:11111:1", "silo-1", TotalBytes: 8L << 30, AvailableBytes: 6L << 30,
            ReserveBytes: 512L << 20, CeilingBytes: 6871947673, LeasedBytes: 20L << 20, HeadroomBytes: 5L << 30,
            LeaseCount: 1, BuffersInUse: 2, BufferBytesInUse: 16L << 20, BufferCapacity: 15, TakenAt: DateTimeOffset.UnixEpoch);

        Assert.Equal(new NodeBudgetReading("silo-1", 5L << 30, 20L << 20), NodeBudgetReading.From(snapshot));
    }

    [Fact]
    public void Buffer_gauge_reports_the_pool_of_each_node()
    {
        var inUse = 3;
        using var pool = _metrics.ObserveChunkBuffers(() => new ChunkBufferReading("silo-a", inUse));

        _recorded.CollectObservables();
        inUse = 7;
        _recorded.CollectObservables();

        var recorded = _recorded.Of(UploadMetricNames.ChunkBuffersInUse);
        Assert.Equal([3d, 7d], recorded.Select(m => m.Value));
        Assert.All(recorded, m => Assert.Equal("silo-a", m.Tag(UploadMetricNames.NodeTag)));
    }

    [Fact]
    public void A_disposed_source_is_no_longer_observed()
    {
        var registration = _metrics.ObserveChunkBuffers(() => new ChunkBufferReading("silo-a", 1));
        _recorded.CollectObservables();
        registration.Dispose();
        registration.Dispose();
        _recorded.CollectObservables();

        Assert.Single(_recorded.Of(UploadMetricNames.ChunkBuffersInUse));
    }

    [Fact]
    public void Instruments_come_from_the_DirectDriveX_meter_of_the_injected_factory()
    {
        var meters = new List<Meter>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Name == UploadMetricNames.UploadsStarted) meters.Add(instrument.Meter);
            },
        };
        listener.Start();

        var factory = _services.GetRequiredService<IMeterFactory>();
        var meter = Assert.Single(meters, m => ReferenceEquals(m.Scope, factory));
        Assert.Equal(UploadMetricNames.Meter, meter.Name);
    }
}
