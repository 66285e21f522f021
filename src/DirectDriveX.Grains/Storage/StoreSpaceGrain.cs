using DirectDriveX.Grains.Sampling;
using DirectDriveX.Storage;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// The file store's free space as promised to uploads (<see cref="IStoreSpaceGrain"/>). It reads the store's free space from
/// the node's sample (<see cref="NodeResources"/>), and afresh before it refuses; promises live in memory (a conservative count: a promise stays whole until its upload ends,
/// though the upload writes into it as it goes). Should the grain's silo die, the promises of live uploads are forgotten
/// until they end: the store's own free space still bounds every new promise.
/// Placed on the silo of its first caller (<see cref="Orleans.Placement.PreferLocalPlacementAttribute"/>), a node taking
/// uploads, so that node promises and releases without a call to another silo; it is still one grain for the cluster.
/// </summary>
[GrainType(GrainTypeNames.StoreSpace)]
[KeepAlive]
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class StoreSpaceGrain(NodeResources resources, IOptions<FileStoreOptions> options, ILogger<StoreSpaceGrain> logger)
    : Grain, IStoreSpaceGrain
{
    private readonly Dictionary<string, long> _promises = new(StringComparer.Ordinal);
    private long _promised;

    public async Task<UploadRefusal?> TryPromise(string uploadId, long bytes)
    {
        if (_promises.ContainsKey(uploadId)) return null;
        if ((await resources.ReadAsync()).StoreFreeBytes is not { } free) return null; // object storage: no fill level to promise from
        var margin = options.Value.FreeSpaceMarginBytes;
        if (!StoreSpaceArithmetic.Admits(free, margin, _promised, bytes) && (await resources.ReadAsync(fresh: true)).StoreFreeBytes is { } now)
            free = now;
        if (!StoreSpaceArithmetic.Admits(free, margin, _promised, bytes))
        {
            var promisable = Math.Max(0, StoreSpaceArithmetic.Promisable(free, margin, _promised));
            LogRefused(uploadId, bytes, free, _promised);
            return new UploadRefusal(RefusalReason.InsufficientStorage,
                $"The file store can take {promisable} more bytes ({free} free, {margin} kept free, {_promised} promised to live uploads); the upload needs {bytes}. Retry when space returns.");
        }
        _promises[uploadId] = bytes;
        _promised += bytes;
        return null;
    }

    public Task Release(string uploadId)
    {
        if (_promises.Remove(uploadId, out var bytes)) _promised -= bytes;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} refused: it needs {Bytes} bytes of the file store, which has {Free} free and {Promised} promised")]
    private partial void LogRefused(string uploadId, long bytes, long free, long promised);
}
