using DirectDriveX.Storage;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// Removes staged bytes that no session will ever finish: a staging file untouched for <see cref="FileStoreOptions.OrphanAge"/>
/// whose session does not exist or has ended (a process died between ending a session and deleting its bytes, or the
/// session's state was lost). Runs on every silo every <see cref="FileStoreOptions.SweepInterval"/>; deleting is idempotent,
/// so silos sharing a store may sweep it at once.
/// </summary>
public sealed partial class StagingSweep(
    IUploadStore store,
    IGrainFactory grains,
    TimeProvider clock,
    IOptions<FileStoreOptions> options,
    ILogger<StagingSweep> logger) : FileStoreSweep(clock, options, logger)
{
    protected override string Name => "The staging sweep";

    protected override Task SweepPassAsync(CancellationToken cancellationToken) => SweepOnceAsync(cancellationToken);

    /// <summary>One pass; returns the upload ids whose staged bytes were removed.</summary>
    public async Task<IReadOnlyList<string>> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = Clock.GetUtcNow() - Options.OrphanAge;
        var removed = new List<string>();
        var staged = new List<StagedFile>();
        await foreach (var file in store.ListStagingAsync(cancellationToken)) staged.Add(file);
        foreach (var files in staged.GroupBy(file => file.UploadId))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lastWrite = files.Max(file => file.LastWrite);
            if (lastWrite > cutoff) continue;
            var status = await grains.ReferenceTo<IUploadSessionGrain>(files.Key).GetState();
            if (status.Failure?.Reason != RefusalReason.NotFound && !status.State.IsFinal()) continue;
            // A stored file's bytes are never staging, whatever its session's record says now.
            var published = status.State == UploadState.Completed || await store.ReadRecordAsync(files.Key, cancellationToken) is not null;
            var storeUploadId = files.Select(file => file.StoreUploadId).FirstOrDefault(id => id is not null);
            await store.DeleteStagingAsync(new StagingRemains(files.Key, files.Max(file => file.Epoch), [], storeUploadId), published, cancellationToken);
            removed.Add(files.Key);
            LogRemoved(files.Key, status.State, lastWrite);
        }
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the staged bytes of upload {UploadId} ({State}, last written {LastWrite:u}): no session will finish them")]
    private partial void LogRemoved(string uploadId, UploadState state, DateTimeOffset lastWrite);
}
