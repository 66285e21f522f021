using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage.FileSystem;

/// <summary>One writer's epoch file in the file system store: a commit is an fsync, and the part it records is the epoch's file
/// (the session grain merges a commit into the part it continues).</summary>
internal sealed class FileSystemStagingFile(LocalFile file, FileSystemLocator locator) : IStagingFile
{
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        file.WriteAsync(offset, data, cancellationToken);

    public async Task<StagedCommit> CommitAsync(long from, long to, CancellationToken cancellationToken)
    {
        await file.FlushAsync(cancellationToken);
        return new StagedCommit([new StagedPart(from, to - from, locator.ToString())]);
    }

    /// <summary>No fsync here: the publishing fsyncs the file beside the record (<see cref="FileSystemUploadStore.PublishAsync"/>),
    /// or <see cref="FileSystemUploadStore.FlushStagedAsync"/> does for a completion that records the range without publishing.</summary>
    public Task<StagedCommit> CommitForPublishingAsync(long from, long to, CancellationToken cancellationToken) =>
        Task.FromResult(new StagedCommit([new StagedPart(from, to - from, locator.ToString())]));

    public ValueTask DisposeAsync()
    {
        file.Dispose();
        return ValueTask.CompletedTask;
    }
}
