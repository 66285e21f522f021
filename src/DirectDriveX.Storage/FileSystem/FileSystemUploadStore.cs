using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace DirectDriveX.Storage.FileSystem;

/// <summary>
/// <see cref="IUploadStore"/> on a directory: <c>staging/{uploadId}.{epoch}.part</c> while receiving (one file per fencing
/// epoch, each from its first part's start), <c>staging/{uploadId}.{epoch}.joined</c> when several epochs' files are joined
/// at completion, <c>files/{fileId}</c> once stored, with its record beside it in <c>files/{fileId}.json</c>.
/// Ids must be well-formed upload ids (22 URL-safe characters), so a path can only ever be one of these shapes.
/// Blocking file-system calls (fsync, move, delete) run on the thread pool, never on the caller's scheduler.
/// </summary>
public sealed class FileSystemUploadStore : IUploadStore
{
    private readonly string _stagingDirectory;
    private readonly string _filesDirectory;
    private readonly bool _flushToDisk;
    private readonly bool _dropWrittenPages;
    private readonly DirectorySync _directories = new();

    public FileSystemUploadStore(IOptions<FileStoreOptions> options)
    {
        var root = Path.GetFullPath(options.Value.RootDirectory);
        _stagingDirectory = Directory.CreateDirectory(Path.Combine(root, "staging")).FullName;
        _filesDirectory = Directory.CreateDirectory(Path.Combine(root, "files")).FullName;
        _flushToDisk = options.Value.FlushToDisk;
        _dropWrittenPages = options.Value.FlushToDisk && !options.Value.CacheWrittenPages && OperatingSystem.IsLinux();
    }

    public StoreKind Kind => StoreKind.FileSystem;

    public long? AvailableBytes() => new DriveInfo(_filesDirectory).AvailableFreeSpace;

    /// <summary>The store's directories are there (created at construction; a mount that went away since is found here).</summary>
    public Task CheckAsync(CancellationToken cancellationToken) =>
        Directory.Exists(_stagingDirectory) && Directory.Exists(_filesDirectory)
            ? Task.CompletedTask
            : Task.FromException(new IOException($"The file store's directories {_stagingDirectory} and {_filesDirectory} are not there."));

    public Task<IStagingFile> OpenStagingAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        var locator = FileSystemLocator.For(target);
        var file = new LocalFile(OpenForWriting(SegmentPath(target.UploadId, locator.Epoch)), locator.Start, _flushToDisk, _dropWrittenPages);
        return Task.FromResult<IStagingFile>(new FileSystemStagingFile(file, locator));
    }

    public int PartsForStaging(IReadOnlyList<StagedPart> parts) => FileSystemLocator.FirstPartRead(parts);

    public async Task<int> ReadStagedAsync(string uploadId, IReadOnlyList<StagedPart> parts, long offset, Memory<byte> buffer,
        CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length && StagedLayout.PartAt(parts, offset + total) is { } part)
        {
            var locator = FileSystemLocator.Parse(part);
            var wanted = (int)Math.Min(buffer.Length - total, part.End - (offset + total));
            using var handle = File.OpenHandle(SegmentPath(uploadId, locator.Epoch), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var read = 0;
            while (read < wanted)
            {
                var got = await RandomAccess.ReadAsync(handle, buffer.Slice(total + read, wanted - read), offset + total + read - locator.Start, cancellationToken);
                if (got == 0) return total + read; // the file is shorter than its committed part
                read += got;
            }
            total += read;
        }
        return total;
    }

    /// <summary>One epoch's file from offset 0 is the upload as it is; bytes of several epochs are joined into one file of this
    /// epoch's (never truncated: two joins write the same bytes at the same offsets).</summary>
    public async Task AssembleAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        if (IsOneFile(target)) return;
        using var joined = new LocalFile(OpenForWriting(JoinedPath(target.UploadId, target.Epoch)), 0, _flushToDisk, _dropWrittenPages);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            for (long position = 0; position < target.Size;)
            {
                var block = buffer.AsMemory(0, (int)Math.Min(buffer.Length, target.Size - position));
                var read = await ReadStagedAsync(target.UploadId, target.Parts, position, block, cancellationToken);
                if (read == 0) throw new IOException($"The staged bytes of upload {target.UploadId} end at {position}, before {target.Size}.");
                await joined.WriteAsync(position, block[..read], cancellationToken);
                position += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        await joined.FlushAsync(cancellationToken);
    }

    /// <summary>The assembled file; once published (a completion retried after its answer was lost), the stored one.</summary>
    public Task<Stream> OpenAssembledAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        var assembled = AssembledPath(target);
        var path = !File.Exists(assembled) && File.Exists(StoredPath(target.UploadId)) ? StoredPath(target.UploadId) : assembled;
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan));
    }

    /// <summary>The record (fsynced, then renamed into place) and the bytes moved beside it; returns once an fsync of
    /// <c>files/</c> that started after both renames has finished (group-committed with concurrent publishers:
    /// <see cref="DirectorySync"/>), so a stored file and its record survive a power cut from the moment the upload is answered.
    /// The assembled file is fsynced while the record is written and fsynced (two inodes, whose fsyncs overlap), both before
    /// either rename: a writer's last range may have been left to this (<see cref="FileSystemStagingFile.CommitForPublishingAsync"/>),
    /// and a file already durable costs a second fsync next to nothing.</summary>
    public async Task PublishAsync(StagingTarget target, StoredFileRecord record, CancellationToken cancellationToken)
    {
        var from = AssembledPath(target);
        var (to, recordPath) = (StoredPath(record.FileId), RecordPath(record.FileId));
        var json = StoredFileRecordJson.Serialize(record);
        var temporary = recordPath + ".tmp";
        var bytesDurable = Task.Run(() =>
        {
            if (target.Size == 0 && !File.Exists(from)) File.Create(from).Dispose(); // an empty file has no staged bytes
            Flush(from); // gone when published before (a completion retried after its answer was lost): durable then
        }, cancellationToken);
        // The record's thread goes on to the renames once the bytes are durable too (issue 19, ninth round): one hop back to
        // the caller's scheduler and one more to the thread pool fewer per upload than waiting for both and starting again.
        await Task.Run(async () =>
        {
            try
            {
                // A handle, not a FileStream: the same open, lock and truncation, without a stream's 4 KiB buffer and its seek.
                using var file = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
                RandomAccess.Write(file, json, 0);
                RandomAccess.FlushToDisk(file);
            }
            catch
            {
                await bytesDurable.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // nothing left running when it throws
                throw;
            }
            await bytesDurable;
            FileRename.Replace(temporary, recordPath);
            // Publishing again (a completion retried after its answer was lost) finds the bytes already stored.
            FileRename.MoveUnlessPresent(from, to);
            if (_flushToDisk) await _directories.FlushHereAsync(_filesDirectory);
        }, cancellationToken);
    }

    /// <summary>The writer's epoch file, made durable: its last range was left to the publishing, which did not happen.</summary>
    public Task FlushStagedAsync(StagingTarget target, CancellationToken cancellationToken) =>
        Task.Run(() => Flush(SegmentPath(target.UploadId, target.Epoch)), cancellationToken);

    private void Flush(string path)
    {
        if (_flushToDisk) LocalFile.Flush(path, _dropWrittenPages);
    }

    /// <summary>Every epoch's file and joined file, each once (epoch 0's file is the legacy one). Most are absent (a
    /// published upload's one file has moved into <c>files/</c>), and a stat tells so where a delete of an absent file costs
    /// an unlink and a stat of its directory (issue 19, sixth round: 1.4% of the embedded process's CPU at 4 KiB).
    /// A published upload of one writer leaves nothing: its one file is the one that moved into <c>files/</c> (issue 19,
    /// eleventh round: four stats and a hop to the thread pool per small file).</summary>
    public Task DeleteStagingAsync(StagingRemains remains, bool published, CancellationToken cancellationToken)
    {
        if (published && remains.OneWriter && remains.Parts is [var part] && FileSystemLocator.Parse(part) is { Start: 0 } one
            && one.Epoch == remains.LastEpoch) return Task.CompletedTask;
        var paths = Enumerable.Range(0, remains.LastEpoch + 1)
            .SelectMany(epoch => new[] { SegmentPath(remains.UploadId, epoch), JoinedPath(remains.UploadId, epoch) })
            .ToArray();
        return Task.Run(() =>
        {
            foreach (var path in paths)
                if (File.Exists(path)) File.Delete(path);
        }, cancellationToken);
    }

    public async IAsyncEnumerable<StagedFile> ListStagingAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var files = await Task.Run(() => new DirectoryInfo(_stagingDirectory).GetFiles(), cancellationToken);
        foreach (var file in files)
        {
            // {uploadId}.part (before epochs), {uploadId}.{epoch}.part, {uploadId}.{epoch}.joined
            var parts = file.Name.Split('.');
            var epoch = parts.Length == 2 && parts[1] == "part" ? 0
                : parts.Length == 3 && parts[2] is "part" or "joined" && int.TryParse(parts[1], out var e) && e > 0 ? e : -1;
            if (epoch >= 0 && UploadIds.IsWellFormed(parts[0])) yield return new StagedFile(parts[0], epoch, file.LastWriteTimeUtc);
        }
    }

    public async IAsyncEnumerable<StoredFileEntry> ListStoredAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var records = await Task.Run(() => new DirectoryInfo(_filesDirectory).GetFiles("*.json"), cancellationToken);
        foreach (var record in records)
        {
            var fileId = Path.GetFileNameWithoutExtension(record.Name);
            if (UploadIds.IsWellFormed(fileId)) yield return new StoredFileEntry(fileId, record.LastWriteTimeUtc);
        }
    }

    public async Task<StoredFileRecord?> ReadRecordAsync(string fileId, CancellationToken cancellationToken = default)
    {
        var (recordPath, bytesPath) = (RecordPath(fileId), StoredPath(fileId));
        var json = await Task.Run(() => File.Exists(recordPath) && File.Exists(bytesPath) ? File.ReadAllBytes(recordPath) : null, cancellationToken);
        return json is null ? null : StoredFileRecordJson.Deserialize(json);
    }

    /// <summary>None: a directory has no one to sign a link; its files are served by the process asked.</summary>
    public Task<Uri?> LinkToStoredAsync(StoredFileLink link, CancellationToken cancellationToken = default) => Task.FromResult<Uri?>(null);

    public Task<Stream?> OpenStoredAsync(string fileId, long length, CancellationToken cancellationToken = default)
    {
        try
        {
            // 1 MiB reads: ASP.NET asks for 64 KiB at a time, and each read of the file is a hop to the thread pool on
            // Linux; stored files are read from disk (uploads leave the page cache): 1 GiB downloads measured 392–883 MB/s
            // (median ~515) against 399–528 (median ~465) with 64 KiB reads, with less CPU. One buffer per open download.
            return Task.FromResult<Stream?>(new FileStream(StoredPath(fileId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 1024 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task<bool> DeleteStoredAsync(string fileId, CancellationToken cancellationToken = default)
    {
        var (recordPath, bytesPath) = (RecordPath(fileId), StoredPath(fileId));
        return Task.Run(() =>
        {
            var existed = File.Exists(recordPath);
            File.Delete(recordPath);
            File.Delete(bytesPath);
            return existed;
        }, cancellationToken);
    }

    /// <summary>True when one epoch's file holds all of the upload from its position 0, so it can be stored as it is.</summary>
    private static bool IsOneFile(StagingTarget target) =>
        target.Parts.Count == 0 || (target.Parts.Count == 1 && FileSystemLocator.Parse(target.Parts[0]).Start == 0);

    private string AssembledPath(StagingTarget target) => IsOneFile(target)
        ? SegmentPath(target.UploadId, target.Parts.Count == 1 ? FileSystemLocator.Parse(target.Parts[0]).Epoch : target.Epoch)
        : JoinedPath(target.UploadId, target.Epoch);

    private static SafeFileHandle OpenForWriting(string path) =>
        File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Epoch 0 is the one file of an upload staged before fencing epochs existed.</summary>
    private string SegmentPath(string uploadId, int epoch) => epoch == 0
        ? LegacyPath(uploadId)
        : Path.Combine(_stagingDirectory, $"{Checked(uploadId)}.{epoch}.part");

    private string LegacyPath(string uploadId) => Path.Combine(_stagingDirectory, $"{Checked(uploadId)}.part");

    private string JoinedPath(string uploadId, int epoch) => Path.Combine(_stagingDirectory, $"{Checked(uploadId)}.{epoch}.joined");

    private string StoredPath(string fileId) => Path.Combine(_filesDirectory, Checked(fileId));

    private string RecordPath(string fileId) => Path.Combine(_filesDirectory, Checked(fileId) + ".json");

    private static string Checked(string id) =>
        UploadIds.IsWellFormed(id) ? id : throw new ArgumentException($"'{id}' is not a well-formed upload or file id.", nameof(id));
}
