using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>The real file store, whose disk can be made full: while <see cref="Full"/> is set, every staging write fails as
/// the kernel fails it (IOException, ENOSPC).</summary>
public sealed class FullDiskFileStore(FileSystemFileStore inner) : IFileStore
{
    public volatile bool Full;

    public long AvailableBytes() => Full ? 0 : inner.AvailableBytes();
    public IStagingFile OpenSegment(string uploadId, int epoch, long start) => new StagingFile(inner.OpenSegment(uploadId, epoch, start), this);
    public IStagingFile OpenJoined(string uploadId, int epoch) => new StagingFile(inner.OpenJoined(uploadId, epoch), this);
    public Task<int> ReadStagedAsync(string uploadId, IReadOnlyList<StagedLayout.Span> spans, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReadStagedAsync(uploadId, spans, offset, buffer, cancellationToken);
    public IEnumerable<StagedFile> ListStaging() => inner.ListStaging();
    public Task DeleteStagingAsync(string uploadId, int lastEpoch) => inner.DeleteStagingAsync(uploadId, lastEpoch);
    public Task PromoteAsync(string uploadId, IReadOnlyList<StagedLayout.Span> spans, int epoch, StoredFileRecord record) =>
        inner.PromoteAsync(uploadId, spans, epoch, record);
    public Task<StoredFileRecord?> ReadRecordAsync(string fileId) => inner.ReadRecordAsync(fileId);
    public Stream? OpenStored(string fileId) => inner.OpenStored(fileId);

    private sealed class StagingFile(IStagingFile file, FullDiskFileStore store) : IStagingFile
    {
        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            store.Full ? throw new IOException("No space left on device", 28) : file.WriteAsync(offset, data, cancellationToken);

        public Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

        public void Dispose() => file.Dispose();
    }
}
