using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>The real file store, whose disk can be made full: while <see cref="Full"/> is set, every staging write fails as
/// the kernel fails it (IOException, ENOSPC).</summary>
public sealed class FullDiskFileStore(FileSystemFileStore inner) : IFileStore
{
    public volatile bool Full;

    public long AvailableBytes() => Full ? 0 : inner.AvailableBytes();
    public IStagingFile OpenStaging(string uploadId) => new StagingFile(inner.OpenStaging(uploadId), this);
    public Task<int> ReadStagingAsync(string uploadId, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReadStagingAsync(uploadId, offset, buffer, cancellationToken);
    public long GetStagingLength(string uploadId) => inner.GetStagingLength(uploadId);
    public Task TruncateStagingAsync(string uploadId, long length) => inner.TruncateStagingAsync(uploadId, length);
    public IEnumerable<(string UploadId, DateTimeOffset LastWrite)> ListStaging() => inner.ListStaging();
    public Task DeleteStagingAsync(string uploadId) => inner.DeleteStagingAsync(uploadId);
    public Task PromoteAsync(string uploadId, StoredFileRecord record) => inner.PromoteAsync(uploadId, record);
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
