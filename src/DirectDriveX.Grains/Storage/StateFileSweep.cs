using DirectDriveX.Storage;
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
    ILogger<StateFileSweep> logger) : FileStoreSweep(clock, options, logger)
{
    protected override string Name => "The state-file sweep";

    protected override async Task SweepPassAsync(CancellationToken cancellationToken)
    {
        var removed = await Task.Run(() => storage.RemoveExpired(cancellationToken), cancellationToken);
        if (removed > 0) LogRemoved(removed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} grain-state records past their lifetime")]
    private partial void LogRemoved(int count);
}
