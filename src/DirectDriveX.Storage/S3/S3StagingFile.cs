using System.Globalization;
using Amazon.S3.Model;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage.Objects;

namespace DirectDriveX.Storage.S3;

/// <summary>
/// One writer's staging in an S3 bucket. Received bytes go to the writer's scratch, one window per part. A commit sends every
/// part it makes whole (UploadPart, or one PutObject for a file of one part) and the rest of the commit as a staged object;
/// the parts it returns name part numbers and ETags (<c>p{number}@{epoch}</c>), staged objects their keys (<c>s{epoch}</c>).
/// Part numbers: each epoch numbers its parts on from one past the last recorded part, skipping <see cref="TakeoverGap"/>
/// numbers when it takes over from another epoch, so a writer of an earlier epoch whose last commit was in flight (it sends
/// at most two parts: a writer on an object store holds at most two chunks uncommitted, and a part is whole chunks; the
/// commit is then refused) never overwrites a part the new epoch records. A tus body held for its checksum is bound alike:
/// its writer sends a chunk at a time, records the parts only once the body is verified, and asks the session before each
/// send whether its epoch still holds, so after a takeover it sends at most one more commit's parts. Its parts are recorded
/// only at its end, so that late part could land past the gap, on a number a newer writer records (the new part replaced,
/// the completion refused for its ETag); so before each send the session records the highest number it sends
/// (<see cref="LastPartNumber"/>, <see cref="StagingTarget.SentPartNumber"/>), and every later writer numbers past that
/// (parts sent and never recorded, a body that failed its checksum, are left out of the completion).
/// </summary>
internal sealed class S3StagingFile : IStagingFile
{
    public const string WholeLocator = "whole";

    /// <summary>Part numbers left unused when an epoch takes over: as many as one in-flight commit of the epoch before may send.</summary>
    public const int TakeoverGap = 2;

    private readonly S3UploadStore _store;
    private readonly StagingTarget _target;
    private readonly long _partSize;
    private readonly ScratchFile _scratch;
    private readonly int _firstNumber;
    private readonly long _firstIndex;
    private string? _multipartId;

    private S3StagingFile(S3UploadStore store, StagingTarget target, long partSize, int firstNumber, long firstIndex)
    {
        _store = store;
        _target = target;
        _partSize = partSize;
        _firstNumber = firstNumber;
        _firstIndex = firstIndex;
        _multipartId = target.StoreUploadId;
        _scratch = store.Scratch.Open(target.UploadId, target.Epoch, partSize);
    }

    public static bool IsStaged(StagedPart part) => part.Locator.StartsWith('s') && part.Tag is not null;

    /// <summary>The S3 part number of a part, or null for a part of another kind.</summary>
    public static int? PartNumberOf(StagedPart part)
    {
        if (!part.Locator.StartsWith('p')) return null;
        var at = part.Locator.IndexOf('@');
        return int.TryParse(part.Locator.AsSpan(1, (at < 0 ? part.Locator.Length : at) - 1), CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    private static int EpochOf(StagedPart part)
    {
        var start = part.Locator.StartsWith('s') ? 1 : part.Locator.IndexOf('@') + 1;
        return start > 0 && int.TryParse(part.Locator.AsSpan(start), CultureInfo.InvariantCulture, out var epoch) ? epoch : -1;
    }

    /// <summary>Where the parts <see cref="OpenAsync"/> reads begin in <paramref name="parts"/> (the upload's last parts): the last
    /// numbered or whole part (a writer numbers past it, or goes on from it in its own epoch), after which come only staged
    /// pieces of the part being filled (their bytes restored into the scratch); -1 when there is none among them.</summary>
    public static int FirstPartRead(IReadOnlyList<StagedPart> parts)
    {
        for (var i = parts.Count - 1; i >= 0; i--)
            if (PartNumberOf(parts[i]) is not null || parts[i].Locator == WholeLocator) return i;
        return -1;
    }

    public static async Task<S3StagingFile> OpenAsync(S3UploadStore store, StagingTarget target, CancellationToken cancellationToken)
    {
        var partSize = ObjectPartPlan.PartSize(target.PlanSize ?? target.Size, target.ChunkSize, store.MaxParts);
        var last = target.Parts.LastOrDefault(part => PartNumberOf(part) is not null);
        var recordedNumber = last is null ? 0 : PartNumberOf(last)!.Value;
        var lastNumber = Math.Max(recordedNumber, target.SentPartNumber);
        var current = ObjectPartPlan.IndexOf(target.Committed, partSize);
        // An epoch's writer goes on from its own last recorded part, unless a writer was let send parts past it unrecorded (a
        // held body's): then it numbers past those, with the gap, as after a takeover.
        var ownLast = last is not null && EpochOf(last) == target.Epoch && target.SentPartNumber <= recordedNumber;
        var firstNumber = ownLast ? lastNumber + 1 : lastNumber + 1 + (target.Epoch > 1 || lastNumber > 0 ? TakeoverGap : 0);
        var firstIndex = ownLast ? ObjectPartPlan.IndexOf(last!.End, partSize) : current;
        var staging = new S3StagingFile(store, target, partSize, firstNumber, firstIndex);
        try
        {
            await staging.RestoreWindowAsync(current, cancellationToken);
        }
        catch
        {
            await staging.DisposeAsync();
            throw;
        }
        return staging;
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _scratch.WriteAsync(offset, data, cancellationToken);

    /// <summary>The number of the last part that a commit of [from, to) makes whole (<see cref="UploadPartAsync"/>), or 0.</summary>
    public int LastPartNumber(long from, long to)
    {
        if (to <= from) return 0;
        var last = to == _target.Size ? ObjectPartPlan.IndexOf(to - 1, _partSize) : ObjectPartPlan.IndexOf(to, _partSize) - 1;
        if (last < ObjectPartPlan.IndexOf(from, _partSize) || _partSize >= _target.Size) return 0; // no part, or one PutObject
        return _firstNumber + (int)(last - _firstIndex);
    }

    public bool KeepsBytesUntilCommitted => true;

    /// <summary>Also aborts a multipart upload this writer created that no session knows of: the session learns its id with the
    /// first part it records, so when the writer recorded nothing (a held body discarded: its checksum failed, its writer was
    /// taken over, a send failed) and the session had no id, nothing else would ever abort it (the next writer creates one of
    /// its own) and its parts would stay until the bucket's lifecycle rule.</summary>
    public async ValueTask DiscardAsync(long offset, CancellationToken cancellationToken)
    {
        _scratch.DropFrom(offset);
        if (_multipartId is not { } created || _target.StoreUploadId is not null || offset != _target.Committed) return;
        _multipartId = null;
        try
        {
            await _store.AbortMultipartAsync(_target.UploadId, created, cancellationToken);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or HttpRequestException)
        {
            // The store cannot be reached now (the discard is on a failure's path already): the parts stay until the bucket's
            // lifecycle rule removes them.
        }
    }

    public async Task<StagedCommit> CommitAsync(long from, long to, CancellationToken cancellationToken)
    {
        var added = new List<StagedPart>();
        long? replaceableFrom = null;
        for (var position = from; position < to;)
        {
            var index = ObjectPartPlan.IndexOf(position, _partSize);
            var (start, end) = ObjectPartPlan.Bounds(index, _partSize, _target.Size);
            if (to >= end)
            {
                added.Add(start == 0 && end == _target.Size ? await PutWholeAsync(cancellationToken) : await UploadPartAsync(index, start, end, cancellationToken));
                _scratch.DropBelow(end);
                position = end;
            }
            else
            {
                var key = _store.Keys.Staged(_target.UploadId, _target.Epoch, position, to);
                await PutAsync(key, position, to, cancellationToken);
                added.Add(new StagedPart(position, to - position, $"s{_target.Epoch}", key));
                replaceableFrom = start; // the commit that makes this part whole replaces its every piece, earlier commits' too
                position = to;
            }
        }
        return new StagedCommit([.. added], _multipartId, replaceableFrom);
    }

    public ValueTask DisposeAsync()
    {
        _scratch.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Puts the committed bytes of the part being filled, [its start, committed), in the scratch: they are there when this
    /// epoch committed them from this process; staged objects of other epochs are fetched.</summary>
    private async Task RestoreWindowAsync(long index, CancellationToken cancellationToken)
    {
        var (start, _) = ObjectPartPlan.Bounds(index, _partSize, _target.Size);
        if (_target.Committed <= start) return;
        var own = _scratch.HasWindow(index);
        foreach (var part in _target.Parts)
        {
            if (part.End <= start || !IsStaged(part) || (own && EpochOf(part) == _target.Epoch)) continue;
            var response = await S3Failures.Call(() => _store.Client.GetObjectAsync(_store.Bucket, part.Tag, cancellationToken));
            using (response)
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
                try
                {
                    for (var position = part.Offset; position < part.End;)
                    {
                        var read = await response.ResponseStream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, part.End - position)), cancellationToken);
                        if (read == 0) throw new IOException($"Staged object {part.Tag} is shorter than its {part.Length} bytes.");
                        await _scratch.WriteAsync(position, buffer.AsMemory(0, read), cancellationToken);
                        position += read;
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }

    private async Task<StagedPart> PutWholeAsync(CancellationToken cancellationToken)
    {
        var etag = await PutAsync(_store.Keys.File(_target.UploadId), 0, _target.Size, cancellationToken);
        return new StagedPart(0, _target.Size, WholeLocator, etag);
    }

    private async Task<StagedPart> UploadPartAsync(long index, long start, long end, CancellationToken cancellationToken)
    {
        var number = _firstNumber + (int)(index - _firstIndex);
        if (number > ObjectPartPlan.MaxPartNumber)
            throw new IOException($"Upload {_target.UploadId} has used all {ObjectPartPlan.MaxPartNumber} S3 part numbers (it was taken over too often).");
        _multipartId ??= (await S3Failures.Call(() => _store.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _store.Bucket, Key = _store.Keys.File(_target.UploadId),
        }, cancellationToken))).UploadId;
        await using var body = _scratch.OpenSignedBody(start, end);
        var response = await S3Failures.Call(() => _store.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _store.Bucket, Key = _store.Keys.File(_target.UploadId), UploadId = _multipartId, PartNumber = number,
            InputStream = body, PartSize = end - start, UseChunkEncoding = false, DisablePayloadSigning = _store.SendsUnsignedPayload,
        }, cancellationToken));
        return new StagedPart(start, end - start, $"p{number}@{_target.Epoch}", response.ETag);
    }

    private async Task<string> PutAsync(string key, long start, long end, CancellationToken cancellationToken)
    {
        await using var body = _scratch.OpenSignedBody(start, end);
        var request = new PutObjectRequest
        {
            BucketName = _store.Bucket, Key = key, InputStream = body, UseChunkEncoding = false, AutoCloseStream = false,
            DisablePayloadSigning = _store.SendsUnsignedPayload,
        };
        request.Headers.ContentLength = end - start;
        var response = await S3Failures.Call(() => _store.Client.PutObjectAsync(request, cancellationToken));
        return response.ETag;
    }
}
