using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// Deletes grain-state files past their lifetime (<see cref="FileGrainStorage.RemoveExpired"/>): ended upload sessions and
/// clients' records that nobody reads again, which would otherwise stay in the store for good. Runs every
/// <see cref="FileStoreOptions.SweepInterval"/> on every silo that keeps its grain state in files.
/// </summary>
public sealed partial class StateFileSweep(
    FileGrainStorage storage,
    TimeProvider clock,
    IOptions<FileStoreOptions> options,
    ILogger<StateFileSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var removed = await Task.Run(() => storage.RemoveExpired(stoppingToken), stoppingToken);
                    if (removed > 0) LogRemoved(removed);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} grain-state records past their lifetime")]
    private partial void LogRemoved(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The state-file sweep failed; it runs again at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
