using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage.Objects;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Storage.S3;

/// <summary>
/// <see cref="IUploadStore"/> on an S3-compatible bucket. An upload is one multipart upload to <c>files/{id}</c> whose parts
/// (one size, <see cref="ObjectPartPlan"/>) are sent whole from the writer's scratch as they fill; the bytes of a part not yet
/// whole are committed as staged objects (<c>staging/{id}/…</c>) so that an acknowledged byte is always in the bucket. The
/// session grain records part numbers and ETags (ListParts is never asked: some servers lag or lack it). A file of one part
/// is one PutObject. Completion is CompleteMultipartUpload; the record (<c>records/{id}.json</c>) is written last.
/// Request checksums are computed only where the operation requires them (<c>RequestChecksumCalculation = WHEN_REQUIRED</c>):
/// the SDK's default streaming checksums (aws-chunked trailers) are refused or mis-stored by several non-AWS servers, and
/// every part is covered by the upload's SHA-256 at completion anyway.
/// </summary>
public sealed class S3UploadStore : IUploadStore, IDisposable
{
    private readonly S3StoreOptions _options;
    private readonly ObjectKeys _keys;
    private readonly StorePreparation _ready;

    public S3UploadStore(IOptions<FileStoreOptions> options)
    {
        _options = options.Value.S3;
        _keys = new ObjectKeys(_options.Prefix);
        Scratch = new ScratchDirectory(options.Value.RootDirectory);
        Client = S3ClientFactory.Create(_options);
        SendsUnsignedPayload = S3ClientFactory.IsHttps(_options);
        _ready = new StorePreparation(() => _options.CreateBucket ? CreateBucketAsync() : Task.CompletedTask);
    }

    public StoreKind Kind => StoreKind.S3;

    internal IAmazonS3 Client { get; }
    internal ScratchDirectory Scratch { get; }
    internal ObjectKeys Keys => _keys;
    internal string Bucket => _options.Bucket!;
    internal int MaxParts => _options.MaxParts;

    /// <summary>Whether parts go as UNSIGNED-PAYLOAD (the SDK's DisablePayloadSigning): over https (AWS itself, R2, an https
    /// MinIO), where TLS protects the body and the SDK then reads it once instead of twice (to hash it for SigV4, then to send
    /// it). Over http the payload must be signed (the SDK refuses otherwise).</summary>
    internal bool SendsUnsignedPayload { get; }

    public long? AvailableBytes() => null;

    /// <summary>The bucket answers a read under the prefix: a GET of a key this service never writes answers NoSuchKey when the
    /// endpoint, credentials, bucket and region are right (a listing is not asked: s3rver answers it with an internal error
    /// once a writer killed mid-PUT has left a half-written object).</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        // The preparation is shared with uploads and takes no token: the check stops waiting for it at its own deadline.
        await S3Failures.Call(() => _ready.EnsureAsync().WaitAsync(cancellationToken));
        await S3Failures.CallExpecting("NoSuchKey", async () =>
        {
            using var _ = await Client.GetObjectAsync(Bucket, _keys.RecordRoot + ".store-check", cancellationToken);
        });
    }

    public async Task<IStagingFile> OpenStagingAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        await S3Failures.Call(_ready.EnsureAsync);
        return await S3StagingFile.OpenAsync(this, target, cancellationToken);
    }

    public int PartsForStaging(IReadOnlyList<StagedPart> parts) => S3StagingFile.FirstPartRead(parts);

    /// <summary>Only staged objects (bytes of a part not yet whole) can be read back: a part of an unfinished multipart upload
    /// cannot, so reading stops at the first one.</summary>
    public async Task<int> ReadStagedAsync(string uploadId, IReadOnlyList<StagedPart> parts, long offset, Memory<byte> buffer,
        CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length && StagedLayout.PartAt(parts, offset + total) is { } part && S3StagingFile.IsStaged(part))
        {
            var from = offset + total;
            var wanted = (int)Math.Min(buffer.Length - total, part.End - from);
            var read = await S3Failures.Call(async () =>
            {
                using var response = await Client.GetObjectAsync(new GetObjectRequest
                {
                    BucketName = Bucket, Key = part.Tag, ByteRange = new ByteRange(from - part.Offset, from - part.Offset + wanted - 1),
                }, cancellationToken);
                await response.ResponseStream.ReadExactlyAsync(buffer.Slice(total, wanted), cancellationToken);
                return wanted;
            });
            total += read;
        }
        return total;
    }

    public async Task AssembleAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        await S3Failures.Call(_ready.EnsureAsync);
        if (target.Size == 0)
        {
            await S3Failures.Call(() => Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = Bucket, Key = _keys.File(target.UploadId), InputStream = new MemoryStream([]), UseChunkEncoding = false,
            }, cancellationToken));
            return;
        }
        if (!StagedLayout.Covers(target.Parts, target.Size))
            throw new IOException($"The parts of upload {target.UploadId} do not hold its {target.Size} bytes.");
        if (target.Parts is [{ Locator: S3StagingFile.WholeLocator } whole])
        {
            await S3WholeObject.CheckAsync(Client, Bucket, _keys.File(target.UploadId), target.UploadId, whole, cancellationToken);
            return;
        }
        var numbered = target.Parts.Select(part => S3StagingFile.PartNumberOf(part) is { } number
                ? new PartETag(number, part.Tag)
                : throw new IOException($"Bytes [{part.Offset}, {part.End}) of upload {target.UploadId} are not in a part."))
            .ToList();
        try
        {
            await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket, Key = _keys.File(target.UploadId), UploadId = target.StoreUploadId, PartETags = numbered,
            }, cancellationToken);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException)
        {
            // Completed already (an earlier completion whose answer was lost: S3 answers NoSuchUpload, some servers 500)
            // when the object is there, whole.
            if (await AssembledSizeAsync(target.UploadId, cancellationToken) != target.Size)
                throw new IOException($"S3 could not complete upload {target.UploadId}: {e.Message}", e);
        }
    }

    private async Task<long?> AssembledSizeAsync(string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            return (await Client.GetObjectMetadataAsync(Bucket, _keys.File(uploadId), cancellationToken)).ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<Stream> OpenAssembledAsync(StagingTarget target, CancellationToken cancellationToken)
    {
        var response = await S3Failures.Call(() => Client.GetObjectAsync(Bucket, _keys.File(target.UploadId), cancellationToken));
        return new ResponseOwningStream(response.ResponseStream, response);
    }

    public Task PublishAsync(StagingTarget target, StoredFileRecord record, CancellationToken cancellationToken) =>
        S3Failures.Call(() => Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket, Key = _keys.Record(record.FileId), ContentType = "application/json",
            InputStream = new MemoryStream(StoredFileRecordJson.Serialize(record)), UseChunkEncoding = false,
        }, cancellationToken));

    public async Task DeleteStagingAsync(StagingRemains remains, bool published, CancellationToken cancellationToken)
    {
        await Scratch.DeleteAsync(remains.UploadId, cancellationToken);
        await foreach (var item in S3KeyListing.ListAsync(Client, Bucket, _keys.StagingOf(remains.UploadId), cancellationToken))
            await S3Failures.Call(() => Client.DeleteObjectAsync(Bucket, item.Key, cancellationToken));
        if (published) return;
        if (remains.StoreUploadId is { } multipart)
            await AbortMultipartAsync(remains.UploadId, multipart, cancellationToken);
        await S3Failures.Call(() => Client.DeleteObjectAsync(Bucket, _keys.File(remains.UploadId), cancellationToken));
    }

    /// <summary>Aborts an upload's multipart upload.</summary>
    internal async Task AbortMultipartAsync(string uploadId, string multipartId, CancellationToken cancellationToken)
    {
        try
        {
            await Client.AbortMultipartUploadAsync(Bucket, _keys.File(uploadId), multipartId, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
        {
            // Gone already, or a server that cannot abort (s3rver): its parts stay until the bucket's lifecycle rule
            // (AbortIncompleteMultipartUpload) removes them.
        }
    }

    public async IAsyncEnumerable<StagedFile> ListStagingAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var file in Scratch.ListAsync(cancellationToken)) yield return file;
        await foreach (var item in S3KeyListing.ListAsync(Client, Bucket, _keys.StagingRoot, cancellationToken))
            if (_keys.ParseStaged(item.Key) is { } staged)
                yield return new StagedFile(staged.UploadId, staged.Epoch, item.LastModified ?? DateTime.UtcNow);
    }

    public async IAsyncEnumerable<StoredFileEntry> ListStoredAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in S3KeyListing.ListAsync(Client, Bucket, _keys.RecordRoot, cancellationToken))
            if (_keys.ParseRecord(item.Key) is { } fileId)
                yield return new StoredFileEntry(fileId, item.LastModified ?? DateTime.UtcNow);
    }

    public async Task<StoredFileRecord?> ReadRecordAsync(string fileId, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Client.GetObjectAsync(Bucket, _keys.Record(fileId), cancellationToken);
            using var json = new MemoryStream();
            await response.ResponseStream.CopyToAsync(json, cancellationToken);
            return StoredFileRecordJson.Deserialize(json.ToArray());
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException)
        {
            throw new IOException($"S3 could not read the record of file {fileId}: {e.Message}", e);
        }
    }

    public async Task<Uri?> LinkToStoredAsync(StoredFileLink link, CancellationToken cancellationToken = default) =>
        await S3PresignedDownload.CreateAsync(Client, Bucket, _keys.File(link.FileId), link, S3ClientFactory.IsHttps(_options));

    public Task<Stream?> OpenStoredAsync(string fileId, long length, CancellationToken cancellationToken = default)
    {
        var key = _keys.File(fileId);
        Stream stream = length == 0 ? new MemoryStream([], writable: false) : new ObjectReadStream(length, async (position, ct) =>
        {
            var response = await S3Failures.Call(() => Client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = Bucket, Key = key, ByteRange = new ByteRange(position, length - 1),
            }, ct));
            return new ResponseOwningStream(response.ResponseStream, response);
        });
        return Task.FromResult<Stream?>(stream);
    }

    public async Task<bool> DeleteStoredAsync(string fileId, CancellationToken cancellationToken = default)
    {
        var existed = await ReadRecordAsync(fileId, cancellationToken) is not null;
        await S3Failures.Call(() => Client.DeleteObjectAsync(Bucket, _keys.Record(fileId), cancellationToken));
        await S3Failures.Call(() => Client.DeleteObjectAsync(Bucket, _keys.File(fileId), cancellationToken));
        return existed;
    }

    public void Dispose() => Client.Dispose();

    private async Task CreateBucketAsync()
    {
        try
        {
            await Client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists" || e.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }
}
