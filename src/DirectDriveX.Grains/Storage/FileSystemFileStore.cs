using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// <see cref="IFileStore"/> on a directory: <c>staging/{uploadId}.part</c> while receiving, <c>files/{fileId}</c> once stored.
/// Ids must be well-formed upload ids (22 URL-safe characters), so a path can only ever be one of these two shapes.
/// </summary>
public sealed class FileSystemFileStore : IFileStore
{
    private readonly string _stagingDirectory;
    private readonly string _filesDirectory;
    private readonly bool _flushToDisk;

    public FileSystemFileStore(IOptions<FileStoreOptions> options)
    {
        var root = Path.GetFullPath(options.Value.RootDirectory);
        _stagingDirectory = Directory.CreateDirectory(Path.Combine(root, "staging")).FullName;
        _filesDirectory = Directory.CreateDirectory(Path.Combine(root, "files")).FullName;
        _flushToDisk = options.Value.FlushToDisk;
    }

    public async Task WriteStagingAsync(string uploadId, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(StagingPath(uploadId), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous);
        await RandomAccess.WriteAsync(handle, data, offset, cancellationToken);
        if (_flushToDisk) RandomAccess.FlushToDisk(handle);
    }

    public Task<int> ReadStagingAsync(string uploadId, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        ReadFullyAsync(StagingPath(uploadId), offset, buffer, cancellationToken);

    public long GetStagingLength(string uploadId)
    {
        var file = new FileInfo(StagingPath(uploadId));
        return file.Exists ? file.Length : 0;
    }

    public void TruncateStaging(string uploadId, long length)
    {
        using var handle = File.OpenHandle(StagingPath(uploadId), FileMode.OpenOrCreate, FileAccess.Write);
        RandomAccess.SetLength(handle, length);
    }

    public void DeleteStaging(string uploadId) => File.Delete(StagingPath(uploadId));

    public void Promote(string uploadId, string fileId) =>
        File.Move(StagingPath(uploadId), StoredPath(fileId), overwrite: false);

    public long? GetStoredLength(string fileId)
    {
        var file = new FileInfo(StoredPath(fileId));
        return file.Exists ? file.Length : null;
    }

    public Task<int> ReadStoredAsync(string fileId, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        ReadFullyAsync(StoredPath(fileId), offset, buffer, cancellationToken);

    private static async Task<int> ReadFullyAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer[total..], offset + total, cancellationToken);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    private string StagingPath(string uploadId) => Path.Combine(_stagingDirectory, Checked(uploadId) + ".part");

    private string StoredPath(string fileId) => Path.Combine(_filesDirectory, Checked(fileId));

    private static string Checked(string id) =>
        UploadIds.IsWellFormed(id) ? id : throw new ArgumentException($"'{id}' is not a well-formed upload or file id.", nameof(id));
}
