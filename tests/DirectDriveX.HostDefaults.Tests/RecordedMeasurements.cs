using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DirectDriveX.HostDefaults.Tests;

/// <summary>One measurement as a <see cref="MeterListener"/> saw it.</summary>
internal sealed record RecordedMeasurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? Tag(string name) => Tags.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Listens to every instrument created by one <see cref="IMeterFactory"/> (so parallel tests do not see each other).</summary>
internal sealed class RecordedMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public RecordedMeasurements(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Asks every observable instrument for its current values.</summary>
    public void CollectObservables() => _listener.RecordObservableInstruments();

    public IReadOnlyList<RecordedMeasurement> Of(string instrument) =>
        _measurements.Where(m => m.Instrument == instrument).ToList();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }
        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, instrument.Unit, value, copy));
    }
}
