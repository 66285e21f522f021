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
/// until they end: the store's own free space still bounds every new promise. A promise whose release was lost is found
/// before it refuses an upload: promises older than <see cref="FileStoreOptions.PromiseRecheckAfter"/> are checked with their
/// sessions first, and those of sessions that have ended or never were are forgotten (<see cref="StorePromiseRecheck"/>).
/// Placed on the silo of its first caller (<see cref="Orleans.Placement.PreferLocalPlacementAttribute"/>), a node taking
/// uploads, so that node promises and releases without a call to another silo; it is still one grain for the cluster.
/// </summary>
[GrainType(GrainTypeNames.StoreSpace)]
[KeepAlive]
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class StoreSpaceGrain(NodeResources resources, IOptions<FileStoreOptions> options, TimeProvider clock,
    ILogger<StoreSpaceGrain> logger) : Grain, IStoreSpaceGrain
{
    /// <summary>How long a session may take to say whether it still holds its promise; one that does not answer keeps it.</summary>
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, StorePromise> _promises = new(StringComparer.Ordinal);
    private long _promised;

    public async Task<UploadRefusal?> TryPromise(string uploadId, long bytes)
    {
        if (_promises.ContainsKey(uploadId)) return null;
        if ((await resources.ReadAsync()).StoreFreeBytes is not { } free) return null; // object storage: no fill level to promise from
        var margin = options.Value.FreeSpaceMarginBytes;
        if (!StoreSpaceArithmetic.Admits(free, margin, _promised, bytes) && (await resources.ReadAsync(fresh: true)).StoreFreeBytes is { } now)
            free = now;
        if (!StoreSpaceArithmetic.Admits(free, margin, _promised, bytes)) await ForgetEndedAsync();
        if (!StoreSpaceArithmetic.Admits(free, margin, _promised, bytes))
        {
            var promisable = Math.Max(0, StoreSpaceArithmetic.Promisable(free, margin, _promised));
            LogRefused(uploadId, bytes, free, _promised);
            return new UploadRefusal(RefusalReason.InsufficientStorage,
                $"The file store can take {promisable} more bytes ({free} free, {margin} kept free, {_promised} promised to live uploads); the upload needs {bytes}. Retry when space returns.");
        }
        _promises[uploadId] = new StorePromise(bytes, clock.GetUtcNow());
        _promised += bytes;
        return null;
    }

    public Task Release(string uploadId)
    {
        Forget(uploadId);
        return Task.CompletedTask;
    }

    private void Forget(string uploadId)
    {
        if (_promises.Remove(uploadId, out var promise)) _promised -= promise.Bytes;
    }

    /// <summary>Asks the session of each promise due for a check (<see cref="StorePromiseRecheck.Due"/>) whether it still holds
    /// it, and forgets those of sessions that have ended or never were. A session's status call runs its deadline (a session
    /// whose node died is reactivated and expires, giving its promise back).</summary>
    private async Task ForgetEndedAsync()
    {
        var now = clock.GetUtcNow();
        var due = StorePromiseRecheck.Due(_promises, now, options.Value.PromiseRecheckAfter);
        if (due.Count == 0) return;
        var answers = await Task.WhenAll(due.Select(async id =>
        {
            try
            {
                var status = await GrainFactory.ReferenceTo<IUploadSessionGrain>(id).GetState().WaitAsync(StatusTimeout);
                return (id, held: StorePromiseRecheck.StillHeld(status));
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                return (id, held: true); // unknown: keep it
            }
        }));
        var forgotten = 0;
        foreach (var (id, held) in answers)
        {
            if (!_promises.TryGetValue(id, out var promise)) continue; // released while its session was asked
            if (held) _promises[id] = promise with { CheckedAt = now };
            else
            {
                Forget(id);
                forgotten++;
            }
        }
        if (forgotten > 0) LogForgot(forgotten);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} refused: it needs {Bytes} bytes of the file store, which has {Free} free and {Promised} promised")]
    private partial void LogRefused(string uploadId, long bytes, long free, long promised);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} store-space promises were held for uploads that had ended without giving them back, and are forgotten")]
    private partial void LogForgot(int count);
}
