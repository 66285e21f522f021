using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage.Objects;
using Microsoft.Extensions.Options;
using Azure.Storage.Sas;

namespace DirectDriveX.Storage.Azure;

/// <summary>
/// <see cref="IUploadStore"/> on an Azure Blob Storage container. An upload is one block blob, <c>files/{id}</c>: each commit
/// stages its bytes as one block (any size, so a commit never waits for a part to fill) and the session grain records the
/// block ids; completion commits the block list, and the record (<c>records/{id}.json</c>) is written last. A file committed
/// in one go is one Put Blob. Blocks that are never committed (an abandoned upload, a writer of an earlier epoch) are
/// discarded by the service after a week, or at once when the blob is deleted.
/// </summary>
public sealed class AzureBlobUploadStore : IUploadStore
{
    private readonly BlobContainerClient _container;
    private readonly ObjectKeys _keys;
    private readonly StorePreparation _ready;

    public AzureBlobUploadStore(IOptions<FileStoreOptions> options) : this(options, new BlobClientOptions())
    {
    }

    /// <summary>With the blob client's options (a test adds a pipeline policy to them).</summary>
    internal AzureBlobUploadStore(IOptions<FileStoreOptions> options, BlobClientOptions clientOptions)
    {
        var azure = options.Value.AzureBlob;
        _container = new BlobContainerClient(azure.ConnectionString, azure.Container, clientOptions);
        _keys = new ObjectKeys(azure.Prefix);
        Scratch = new ScratchDirectory(options.Value.RootDirectory);
        _ready = new StorePreparation(() => azure.CreateContainer ? _container.CreateIfNotExistsAsync() : Task.CompletedTask);
    }

    public StoreKind Kind => StoreKind.AzureBlob;

    internal ScratchDirectory Scratch { get; }

    /// <summary>This store's writers, numbered on from a random start (the low 16 bits name one in a block id): two writers of one
    /// epoch are on one node, with one store, one after the other.</summary>
    private int _writers = Random.Shared.Next();

    /// <summary>The number of a new writer (<see cref="AzureBlobStagingFile"/>'s block ids).</summary>
    internal int NextWriter() => Interlocked.Increment(ref _writers) & 0xFFFF;

    internal BlockBlobClient Blob(string fileId) => _container.GetBlockBlobClient(_keys.File(fileId));

    public long? AvailableBytes() => null;

    /// <summary>The container is there (its properties read): the connection string and container name are right.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await Call(() => _ready.EnsureAsync().WaitAsync(cancellationToken)); // shared with uploads: waited for up to the check's deadline
        await Call(() => _container.GetPropertiesAsync(cancellationToken: cancellationToken));
    }

    public async Task<IStagingFile> OpenStagingAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        await Call(_ready.EnsureAsync);
        return new AzureBlobStagingFile(this, target);
    }

    public int PartsForStaging(IReadOnlyList<StagedPart> parts) => AzureBlobStagingFile.FirstPartRead(parts);

    /// <summary>A staged block cannot be read before it is committed: nothing is read.</summary>
    public Task<int> ReadStagedAsync(string uploadId, IReadOnlyList<StagedPart> parts, long offset, Memory<byte> buffer,
        CancellationToken cancellationToken) => Task.FromResult(0);

    public async Task AssembleAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        await Call(_ready.EnsureAsync);
        var blob = Blob(target.UploadId);
        if (target.Size == 0)
        {
            await Call(() => blob.UploadAsync(new MemoryStream([]), cancellationToken: cancellationToken));
            return;
        }
        if (!StagedLayout.Covers(target.Parts, target.Size))
            throw new IOException($"The parts of upload {target.UploadId} do not hold its {target.Size} bytes.");
        if (target.Parts is [{ Locator: AzureBlobStagingFile.WholeLocator } whole])
        {
            // A whole file is one Put Blob straight to its name, which a late put of an earlier epoch's writer replaces (the
            // SDK's upload overwrites): the blob must still be the one this writer's put answered, as on S3 (S3WholeObject).
            var etag = (await Call(() => blob.GetPropertiesAsync(cancellationToken: cancellationToken))).Value.ETag.ToString();
            if (etag != whole.Tag)
                throw new IOException($"The object of upload {target.UploadId} is not the one its writer stored (ETag {etag}, recorded {whole.Tag}): " +
                    "another writer replaced it; send the file again as a new upload.");
            return;
        }
        await Call(() => blob.CommitBlockListAsync(target.Parts.Select(part => part.Tag!), cancellationToken: cancellationToken));
    }

    public async Task<Stream> OpenAssembledAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        var response = await Call(() => Blob(target.UploadId).DownloadStreamingAsync(cancellationToken: cancellationToken));
        return response.Value.Content;
    }

    public Task PublishAsync(StagingTarget target, StoredFileRecord record, CancellationToken cancellationToken) =>
        Call(() => _container.GetBlobClient(_keys.Record(record.FileId)).UploadAsync(
            BinaryData.FromBytes(StoredFileRecordJson.Serialize(record)), overwrite: true, cancellationToken));

    public async Task DeleteStagingAsync(StagingRemains remains, bool published, CancellationToken cancellationToken)
    {
        await Scratch.DeleteAsync(remains.UploadId, cancellationToken);
        if (!published) await Call(() => Blob(remains.UploadId).DeleteIfExistsAsync(cancellationToken: cancellationToken));
    }

    public IAsyncEnumerable<StagedFile> ListStagingAsync(CancellationToken cancellationToken) => Scratch.ListAsync(cancellationToken);

    public async IAsyncEnumerable<StoredFileEntry> ListStoredAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Call(_ready.EnsureAsync);
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _keys.RecordRoot }, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await Call(async () => await pages.MoveNextAsync()))
                foreach (var item in pages.Current.Values)
                    if (_keys.ParseRecord(item.Name) is { } fileId)
                        yield return new StoredFileEntry(fileId, item.Properties.LastModified ?? DateTimeOffset.UtcNow);
        }
        finally
        {
            await pages.DisposeAsync();
        }
    }

    public async Task<StoredFileRecord?> ReadRecordAsync(string fileId, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await _container.GetBlobClient(_keys.Record(fileId)).DownloadContentAsync(cancellationToken);
            return StoredFileRecordJson.Deserialize(content.Value.Content.ToMemory().Span);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw new IOException($"Azure Blob Storage could not read the record of file {fileId}: {e.Message}", e);
        }
    }

    /// <summary>A SAS for reading the file's blob, when the connection string carries the account key (a SAS connection
    /// string cannot sign another).</summary>
    public Task<Uri?> LinkToStoredAsync(StoredFileLink link, CancellationToken cancellationToken = default)
    {
        var blob = Blob(link.FileId);
        if (!blob.CanGenerateSasUri) return Task.FromResult<Uri?>(null);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, DateTimeOffset.UtcNow + link.ValidFor)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            ContentType = link.ContentType,
            ContentDisposition = link.ContentDisposition,
        };
        return Task.FromResult<Uri?>(blob.GenerateSasUri(sas));
    }

    public Task<Stream?> OpenStoredAsync(string fileId, long length, CancellationToken cancellationToken = default)
    {
        var blob = Blob(fileId);
        Stream stream = length == 0 ? new MemoryStream([], writable: false) : new ObjectReadStream(length, async (position, ct) =>
        {
            var response = await Call(() => blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(position) }, ct));
            return response.Value.Content;
        });
        return Task.FromResult<Stream?>(stream);
    }

    public async Task<bool> DeleteStoredAsync(string fileId, CancellationToken cancellationToken = default)
    {
        var existed = (await Call(() => _container.GetBlobClient(_keys.Record(fileId)).DeleteIfExistsAsync(cancellationToken: cancellationToken))).Value;
        await Call(() => Blob(fileId).DeleteIfExistsAsync(cancellationToken: cancellationToken));
        return existed;
    }

    /// <summary>Runs a Blob Storage call; the service's and the network's failures become <see cref="IOException"/>s.</summary>
    internal static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException e)
        {
            throw new IOException($"Azure Blob Storage: {e.Status} {e.ErrorCode}: {e.Message}", e);
        }
    }

    internal static async Task Call(Func<Task> call) => await Call(async () => { await call(); return 0; });
}
