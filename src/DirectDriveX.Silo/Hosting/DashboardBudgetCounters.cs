using System.Diagnostics.Metrics;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Interfaces.Telemetry;
using Microsoft.Extensions.Hosting;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Silo.Hosting;

/// <summary>
/// This silo's budget as Orleans dashboard silo counters (the silo's page, "Silo Counters"): the dashboard shows the
/// instruments of Orleans' own meter only, so these gauges live there, named <see cref="UploadMetricNames.DashboardBudgetPrefix"/>*. Each reads the last
/// snapshot the budget grain took (every sweep, and every admission), never the grain itself. The hosts' OpenTelemetry
/// export drops them, since <c>directdrivex.memory.*</c> already carries the same figures with a <c>node</c> tag.
/// </summary>
public sealed class DashboardBudgetCounters(OrleansInstruments instruments, LocalBudgetReading budget) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var meter = instruments.Meter;
        Gauge(meter, "available", "By", s => s.AvailableBytes);
        Gauge(meter, "reserve", "By", s => s.ReserveBytes);
        Gauge(meter, "ceiling", "By", s => s.CeilingBytes);
        Gauge(meter, "leased", "By", s => s.LeasedBytes);
        Gauge(meter, "headroom", "By", s => s.HeadroomBytes);
        Gauge(meter, "leases", "{lease}", s => s.LeaseCount);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the gauges end with the silo's meter

    private void Gauge(Meter meter, string name, string unit, Func<MemoryBudgetSnapshot, long> figure) =>
        meter.CreateObservableGauge(UploadMetricNames.DashboardBudgetPrefix + name,
            () => budget.Latest is { } snapshot ? [new Measurement<long>(figure(snapshot))] : Array.Empty<Measurement<long>>(), unit);
}
