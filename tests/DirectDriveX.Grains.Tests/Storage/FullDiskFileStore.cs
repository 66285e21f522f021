using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;
using DirectDriveX.Storage.FileSystem;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>The real file store, whose disk can be made full: while <see cref="Full"/> is set, every staging write fails as
/// the kernel fails it (IOException, ENOSPC), and while <see cref="PublishFull"/> is set, so does writing a stored file's
/// record. A writer's last range is left to the publishing as the file store leaves it (<see cref="StagedFlushes"/> counts
/// the flushes of such ranges that a completion made without publishing).</summary>
public sealed class FullDiskFileStore(FileSystemUploadStore inner) : IUploadStore
{
    public volatile bool Full;

    public volatile bool PublishFull;

    private int _stagedFlushes;

    public int StagedFlushes => Volatile.Read(ref _stagedFlushes);

    public StoreKind Kind => inner.Kind;
    public long? AvailableBytes() => Full ? 0 : inner.AvailableBytes();

    public Task CheckAsync(CancellationToken cancellationToken) => inner.CheckAsync(cancellationToken);
    public async Task<IStagingFile> OpenStagingAsync(StagingTarget target, CancellationToken cancellationToken) =>
        new StagingFile(await inner.OpenStagingAsync(target, cancellationToken), this);
    public int PartsForStaging(IReadOnlyList<StagedPart> parts) => inner.PartsForStaging(parts);
    public Task<int> ReadStagedAsync(string uploadId, IReadOnlyList<StagedPart> parts, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReadStagedAsync(uploadId, parts, offset, buffer, cancellationToken);
    public Task AssembleAsync(StagingTarget target, CancellationToken cancellationToken) => inner.AssembleAsync(target, cancellationToken);
    public Task<Stream> OpenAssembledAsync(StagingTarget target, CancellationToken cancellationToken) => inner.OpenAssembledAsync(target, cancellationToken);
    public Task PublishAsync(StagingTarget target, StoredFileRecord record, CancellationToken cancellationToken) =>
        PublishFull ? Task.FromException(new IOException("No space left on device", 28)) : inner.PublishAsync(target, record, cancellationToken);
    public Task FlushStagedAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _stagedFlushes);
        return inner.FlushStagedAsync(target, cancellationToken);
    }
    public Task DeleteStagingAsync(StagingRemains remains, bool published, CancellationToken cancellationToken) =>
        inner.DeleteStagingAsync(remains, published, cancellationToken);
    public IAsyncEnumerable<StagedFile> ListStagingAsync(CancellationToken cancellationToken) => inner.ListStagingAsync(cancellationToken);
    public IAsyncEnumerable<StoredFileEntry> ListStoredAsync(CancellationToken cancellationToken) => inner.ListStoredAsync(cancellationToken);
    public Task<StoredFileRecord?> ReadRecordAsync(string fileId, CancellationToken cancellationToken = default) => inner.ReadRecordAsync(fileId, cancellationToken);
    public Task<Uri?> LinkToStoredAsync(StoredFileLink link, CancellationToken cancellationToken = default) =>
        inner.LinkToStoredAsync(link, cancellationToken);

    public Task<Stream?> OpenStoredAsync(string fileId, long length, CancellationToken cancellationToken = default) =>
        inner.OpenStoredAsync(fileId, length, cancellationToken);
    public Task<bool> DeleteStoredAsync(string fileId, CancellationToken cancellationToken = default) => inner.DeleteStoredAsync(fileId, cancellationToken);

    private sealed class StagingFile(IStagingFile file, FullDiskFileStore store) : IStagingFile
    {
        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            store.Full ? throw new IOException("No space left on device", 28) : file.WriteAsync(offset, data, cancellationToken);

        public Task<StagedCommit> CommitAsync(long from, long to, CancellationToken cancellationToken) => file.CommitAsync(from, to, cancellationToken);

        public Task<StagedCommit> CommitForPublishingAsync(long from, long to, CancellationToken cancellationToken) =>
            file.CommitForPublishingAsync(from, to, cancellationToken);

        public ValueTask DisposeAsync() => file.DisposeAsync();
    }
}
