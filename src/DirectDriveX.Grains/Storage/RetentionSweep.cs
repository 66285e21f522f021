using DirectDriveX.Grains.Files;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// Deletes stored files past <c>Files:Retention</c> (off by default) that nobody asked for since they expired: a file asked for
/// is deleted at once by its grain (<see cref="IStoredFileGrain.GetRecord"/>), this sweep finds the rest. It lists the store's
/// records (<see cref="IUploadStore.ListStoredAsync"/>) and asks the grain of each one written before the retention began,
/// which decides by the record's creation time. Runs on every silo every <see cref="FileStoreOptions.SweepInterval"/>; deleting
/// is idempotent, so silos sharing a store may sweep it at once.
/// </summary>
public sealed partial class RetentionSweep(
    IUploadStore store,
    IGrainFactory grains,
    TimeProvider clock,
    IOptions<StoredFileOptions> files,
    IOptions<FileStoreOptions> options,
    ILogger<RetentionSweep> logger) : FileStoreSweep(clock, options, logger)
{
    protected override string Name => "The retention sweep";

    protected override Task SweepPassAsync(CancellationToken cancellationToken) => SweepOnceAsync(cancellationToken);

    /// <summary>One pass; returns the ids of the files it found expired and deleted.</summary>
    public async Task<IReadOnlyList<string>> SweepOnceAsync(CancellationToken cancellationToken)
    {
        if (files.Value.Retention is not { } retention) return [];
        var cutoff = Clock.GetUtcNow() - retention;
        var candidates = new List<string>();
        await foreach (var file in store.ListStoredAsync(cancellationToken))
            if (file.LastWrite <= cutoff) candidates.Add(file.FileId);
        var removed = new List<string>();
        foreach (var fileId in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await grains.ReferenceTo<IStoredFileGrain>(fileId).GetRecord() is null) removed.Add(fileId);
        }
        if (removed.Count > 0) LogRemoved(removed.Count, retention);
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} stored files older than their retention of {Retention}")]
    private partial void LogRemoved(int count, TimeSpan retention);
}
