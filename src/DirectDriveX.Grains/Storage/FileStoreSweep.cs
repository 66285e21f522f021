using DirectDriveX.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// The loop of a file-store sweep: one pass every <see cref="FileStoreOptions.SweepInterval"/> on every silo, until the host
/// stops; a failed pass is logged and the next one runs at the next interval.
/// </summary>
public abstract partial class FileStoreSweep(TimeProvider clock, IOptions<FileStoreOptions> options, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock => clock;

    protected FileStoreOptions Options => options.Value;

    /// <summary>What the failure line calls this sweep ("The staging sweep").</summary>
    protected abstract string Name { get; }

    /// <summary>One pass over the store.</summary>
    protected abstract Task SweepPassAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Options.SweepInterval, Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepPassAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(logger, Name, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Sweep} failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, string sweep, Exception exception);
}
