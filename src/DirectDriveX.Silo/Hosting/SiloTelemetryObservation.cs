using DirectDriveX.Grains.Budget;
using DirectDriveX.Node.Buffers;
using DirectDriveX.Grains.Interfaces.Telemetry;
using Microsoft.Extensions.Hosting;

namespace DirectDriveX.Silo.Hosting;

/// <summary>Feeds this silo's own figures to the per-node gauges: its budget (as its budget grain last saw it) and its pool.</summary>
public sealed class SiloTelemetryObservation(UploadMetrics metrics, LocalBudgetReading budget, ChunkBufferPool pool, ILocalSiloDetails silo) : IHostedService
{
    private IDisposable? _budgets;
    private IDisposable? _buffers;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _budgets = metrics.ObserveNodeBudgets(() => budget.Latest is { } s ? [NodeBudgetReading.From(s)] : []);
        _buffers = metrics.ObserveChunkBuffers(() => new ChunkBufferReading(silo.Name, pool.Statistics.BuffersInUse));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _budgets?.Dispose();
        _buffers?.Dispose();
        return Task.CompletedTask;
    }
}
