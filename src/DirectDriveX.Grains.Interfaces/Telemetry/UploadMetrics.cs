using System.Diagnostics.Metrics;

namespace DirectDriveX.Grains.Interfaces.Telemetry;

/// <summary>
/// The upload instruments of the <see cref="UploadMetricNames.Meter"/> meter, created through the host's
/// <see cref="IMeterFactory"/> (register as a singleton). Grains and the gateway call the recording methods;
/// the host that owns the numbers behind the gauges registers a source with <see cref="ObserveNodeBudgets"/>
/// or <see cref="ObserveChunkBuffers"/>. Instrument names and units are documented in METRICS.md.
/// </summary>
public sealed class UploadMetrics
{
    private static readonly double[] ChunkWriteBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _refused;
    private readonly UpDownCounter<long> _activeSessions;
    private readonly Histogram<double> _chunkWriteDuration;
    private readonly ObservationSources<IEnumerable<NodeBudgetReading>> _budgetSources = new();
    private readonly ObservationSources<ChunkBufferReading> _bufferSources = new();

    public UploadMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(new MeterOptions(UploadMetricNames.Meter)
        {
            Version = typeof(UploadMetrics).Assembly.GetName().Version?.ToString(),
        });

        _bytesReceived = meter.CreateCounter<long>(UploadMetricNames.BytesReceived, "By",
            "Upload bytes committed by upload sessions.");
        _started = meter.CreateCounter<long>(UploadMetricNames.UploadsStarted, "{upload}",
            "Upload sessions that reserved their budget and were accepted.");
        _completed = meter.CreateCounter<long>(UploadMetricNames.UploadsCompleted, "{upload}",
            "Uploads whose length and SHA-256 were verified and stored.");
        _failed = meter.CreateCounter<long>(UploadMetricNames.UploadsFailed, "{upload}",
            "Accepted uploads that ended without a stored file, by reason.");
        _refused = meter.CreateCounter<long>(UploadMetricNames.UploadsRefused, "{upload}",
            "Upload requests refused before a session was accepted, by reason.");
        _activeSessions = meter.CreateUpDownCounter<long>(UploadMetricNames.ActiveSessions, "{session}",
            "Upload sessions holding a budget lease right now.");
        _chunkWriteDuration = meter.CreateHistogram(UploadMetricNames.ChunkWriteDuration, "s",
            "Time to commit one chunk to the file store.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ChunkWriteBuckets });

        meter.CreateObservableGauge(UploadMetricNames.NodeHeadroom,
            () => ObserveBudgets(reading => reading.HeadroomBytes), "By",
            "Memory a node can still lease to new uploads (may be negative under host pressure).");
        meter.CreateObservableGauge(UploadMetricNames.NodeLeased,
            () => ObserveBudgets(reading => reading.LeasedBytes), "By",
            "Memory leased to live upload sessions on a node.");
        meter.CreateObservableGauge(UploadMetricNames.ChunkBuffersInUse, ObserveBuffers, "{buffer}",
            "Chunk buffers rented from a node's pool right now.");
    }

    /// <summary>Counts <paramref name="bytes"/> committed to an upload.</summary>
    public void RecordBytesReceived(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        _bytesReceived.Add(bytes);
    }

    /// <summary>A session reserved its budget and accepted the upload.</summary>
    public void UploadStarted() => _started.Add(1);

    /// <summary>An upload was verified and stored.</summary>
    public void UploadCompleted() => _completed.Add(1);

    /// <summary>An accepted upload ended without a file (hash mismatch, expiry, abort, storage failure...).</summary>
    public void UploadFailed(RefusalReason reason) =>
        _failed.Add(1, new KeyValuePair<string, object?>(UploadMetricNames.ReasonTag, RefusalReasonTag.Of(reason)));

    /// <summary>An upload request was refused before any session accepted it (no headroom, too large, invalid...).</summary>
    public void UploadRefused(RefusalReason reason) =>
        _refused.Add(1, new KeyValuePair<string, object?>(UploadMetricNames.ReasonTag, RefusalReasonTag.Of(reason)));

    /// <summary>A session took its lease; pair with exactly one <see cref="SessionClosed"/>.</summary>
    public void SessionOpened() => _activeSessions.Add(1);

    /// <summary>A session released its lease (completed, failed, aborted or expired).</summary>
    public void SessionClosed() => _activeSessions.Add(-1);

    /// <summary>Records how long one chunk write took.</summary>
    public void RecordChunkWrite(TimeSpan duration) => _chunkWriteDuration.Record(duration.TotalSeconds);

    /// <summary>Feeds the per-node headroom and leased gauges from <paramref name="source"/> until the result is disposed.
    /// The source is called on every collection: it must be fast and must not block (return the last known figures).</summary>
    public IDisposable ObserveNodeBudgets(Func<IEnumerable<NodeBudgetReading>> source) => _budgetSources.Add(source);

    /// <summary>Feeds the buffers-in-use gauge from <paramref name="source"/> until the result is disposed.</summary>
    public IDisposable ObserveChunkBuffers(Func<ChunkBufferReading> source) => _bufferSources.Add(source);

    private IEnumerable<Measurement<long>> ObserveBudgets(Func<NodeBudgetReading, long> figure)
    {
        foreach (var source in _budgetSources.Current())
        {
            foreach (var reading in source())
            {
                yield return new Measurement<long>(figure(reading),
                    new KeyValuePair<string, object?>(UploadMetricNames.NodeTag, reading.Node));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveBuffers()
    {
        foreach (var source in _bufferSources.Current())
        {
            var reading = source();
            yield return new Measurement<int>(reading.BuffersInUse,
                new KeyValuePair<string, object?>(UploadMetricNames.NodeTag, reading.Node));
        }
    }
}
