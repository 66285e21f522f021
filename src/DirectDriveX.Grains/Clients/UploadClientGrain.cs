using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using DirectDriveX.Node.Uploads;

namespace DirectDriveX.Grains.Clients;

/// <summary>
/// One client's count (<see cref="IUploadClientGrain"/>), kept in grain storage so that it survives its silo. Admission is
/// <see cref="ClientAdmissionPolicy"/> over the state; each admitted upload is released by its session on every way out.
/// A release that could not be delivered (the session's node died and nobody resumed it) is caught when the client is at
/// its limit: its older sessions are asked where they stand, which reactivates them, and their own deadlines end them.
/// A parked session (idle past its lease, resumable) holds no live slot: <see cref="Park"/> frees it, and <see cref="TryResume"/>
/// counts it again, against the concurrent limit only. A client leaves no record once nothing of it needs counting: no live
/// or parked session, and no bytes held against a day limit.
/// Its calls interleave and its writes are group-committed (<see cref="ClientCountRecord"/>): a call checks and changes the
/// count in one turn and returns once a write that started after its change has landed (as durable as a write of its own),
/// so one client's concurrent uploads share writes instead of queueing behind each other's (issue 19's serial path).
/// Placed on the silo of the session that first counts the client (<see cref="Orleans.Placement.PreferLocalPlacementAttribute"/>):
/// the node that takes a client's bytes then admits and releases it without a call to another silo, where the default
/// placement put it on the least loaded silo, i.e. away from the busy one. Placement chooses only where a new activation
/// goes; the grain directory still keeps one activation per client in the cluster, so the count is still cluster-wide.
/// </summary>
[GrainType(GrainTypeNames.UploadClient)]
[Reentrant]
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class UploadClientGrain(
    [PersistentState(UploadClientGrain.StateName, UploadClientGrain.StorageName)] IPersistentState<UploadClientState> state,
    TimeProvider clock,
    IOptions<UploadOptions> options,
    ILogger<UploadClientGrain> logger) : Grain, IUploadClientGrain
{
    /// <summary>The grain storage of clients' records: the default storage unless a host registers one of its own (Redis
    /// does, to let records expire: <see cref="RecordLifetime"/>).</summary>
    public const string StorageName = "clients";

    /// <summary>The name of a client's grain state (a file store's records are kept by state name).</summary>
    public const string StateName = "client";

    /// <summary>How long a client's record outlives its last write where storage can expire records. A record counts bytes
    /// for one UTC day, so one that nobody wrote for two days counts nothing any more; without expiry, every address that
    /// ever uploaded under a day limit and never came back would keep a record forever.</summary>
    public static readonly TimeSpan RecordLifetime = TimeSpan.FromDays(2);

    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(10);

    /// <summary>When each counted session was last found live: asked again only <see cref="UploadOptions.ClientRecheckAfter"/>
    /// later, so a client that keeps knocking at its limit costs one status call per session per period, not per knock.</summary>
    private readonly Dictionary<string, DateTimeOffset> _foundLiveAt = new(StringComparer.Ordinal);

    private ClientCountRecord _record = null!;

    private string ClientId => this.GetPrimaryKeyString();
    private UploadClientState S => _record.Count;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _record = new ClientCountRecord(state);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _record.FlushAsync();

    private Task SaveAsync() => _record.SaveAsync();
    private Task WrittenAsync() => _record.WrittenAsync();

    /// <summary>Whether <paramref name="uploadId"/> holds a slot already; if so, once the write that recorded it has landed.</summary>
    private async Task<bool> HoldsSlotAsync(string uploadId)
    {
        if (!S.Live.ContainsKey(uploadId)) return false;
        await WrittenAsync();
        return true;
    }
    private IGrainTimer? _releaseWrite;

    public Task<UploadRefusal?> TryAdmit(string uploadId, long size, ClientLimits limits) => AdmitAsync(uploadId, size, limits, writeBehind: false);

    public async Task<UploadRefusal?> TryDeclare(string uploadId, long size, ClientLimits limits)
    {
        var live = S.Live.TryGetValue(uploadId, out var counted);
        if (!live && !S.Parked.TryGetValue(uploadId, out counted)) counted = null;
        if (counted is not null && counted.Size == size)
        {
            await WrittenAsync();
            return null;
        }
        var now = clock.GetUtcNow();
        RollDay(now);
        var counting = counted is not null && counted.Day == S.Day ? counted.Size : 0;
        if (ClientAdmissionPolicy.CheckDeclared(ClientId, S.BytesToday - counting, size, limits, now) is { } refusal)
        {
            LogRefused(ClientId, uploadId, refusal.Reason, S.Live.Count, S.BytesToday);
            return refusal;
        }
        var declared = (counted ?? new CountedUpload(0, now, S.Day)) with { Size = size, Day = S.Day };
        if (live || counted is null) S.Live[uploadId] = declared;
        else S.Parked[uploadId] = declared;
        _record.Count = S with { BytesToday = S.BytesToday - counting + size, DayLimited = limits.BytesPerDay is not null };
        await SaveAsync();
        return null;
    }

    public async Task Park(string uploadId)
    {
        _foundLiveAt.Remove(uploadId);
        if (!S.Live.Remove(uploadId, out var counted))
        {
            await WrittenAsync();
            return;
        }
        S.Parked[uploadId] = counted;
        await SaveAsync();
    }

    public async Task<UploadRefusal?> TryResume(string uploadId, ClientLimits limits)
    {
        if (await HoldsSlotAsync(uploadId)) return null;
        var now = clock.GetUtcNow();
        RollDay(now);
        if (S.Live.Count >= limits.MaxConcurrentUploads) await ForgetEndedAsync(now);
        if (await HoldsSlotAsync(uploadId)) return null;
        if (ClientAdmissionPolicy.CheckResume(ClientId, S.Live.Count, limits) is { } refusal)
        {
            LogRefused(ClientId, uploadId, refusal.Reason, S.Live.Count, S.BytesToday);
            return refusal;
        }
        // A parked upload this record no longer knows (it expired meanwhile) is counted live again, with no bytes to give back.
        var counted = S.Parked.Remove(uploadId, out var parked) ? parked : new CountedUpload(0, now, S.Day);
        S.Live[uploadId] = counted with { AdmittedAt = now };
        await SaveAsync();
        return null;
    }

    public async Task Release(string uploadId, long receivedBytes)
    {
        _foundLiveAt.Remove(uploadId);
        if (!S.Live.Remove(uploadId, out var counted) && !S.Parked.Remove(uploadId, out counted))
        {
            await WrittenAsync();
            return;
        }
        RollDay(clock.GetUtcNow());
        // Bytes declared and never received go back to the day's quota, if that day is still today.
        var givenBack = counted.Day == S.Day && S.DayLimited ? Math.Max(0, counted.Size - receivedBytes) : 0;
        if (counted.Day == S.Day)
            _record.Count = S with { BytesToday = Math.Max(0, S.BytesToday - Math.Max(0, counted.Size - receivedBytes)) };
        if (givenBack > 0)
        {
            await SaveAsync();
            return;
        }
        // Written behind: a release that only frees a live slot (a completed upload's, or any without a day limit) answers at
        // once and is taken by the next write (an admission's), or written ReleaseWriteDelay later. Lost with this silo before
        // then, the count is too high, never too low: an ended session's slot is freed again when the client next reaches its
        // limit (ForgetEndedAsync asks it). An upload's answer so waits for no write, and a busy client writes once per admission.
        _record.MarkUnwritten();
        _releaseWrite ??= this.RegisterGrainTimer(WriteReleasesAsync, ReleaseWriteDelay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How long a release may wait for an admission's write to take it before it is written on its own.</summary>
    internal static readonly TimeSpan ReleaseWriteDelay = TimeSpan.FromSeconds(1);

    private async Task WriteReleasesAsync(CancellationToken cancellationToken)
    {
        _releaseWrite?.Dispose();
        _releaseWrite = null;
        if (!_record.HasUnwrittenChanges) return;
        try { await SaveAsync(); }
        catch (Exception e) { LogWriteBehindFailed(ClientId, e.Message); }
    }

    public Task<ClientUsage> GetState()
    {
        RollDay(clock.GetUtcNow());
        return Task.FromResult(new ClientUsage(ClientId, [.. S.Live.Keys], S.BytesToday, S.Day));
    }

    private void RollDay(DateTimeOffset now)
    {
        var today = ClientAdmissionPolicy.DayOf(now);
        if (S.Day != today) _record.Count = S with { Day = today, BytesToday = 0 };
    }

    /// <summary>Asks each counted session admitted (or last found live) at least <see cref="UploadOptions.ClientRecheckAfter"/>
    /// ago where it stands, and forgets those that have ended or never started.</summary>
    private async Task ForgetEndedAsync(DateTimeOffset now)
    {
        var period = options.Value.ClientRecheckAfter;
        var old = S.Live
            .Where(e => now - e.Value.AdmittedAt >= period && (!_foundLiveAt.TryGetValue(e.Key, out var seen) || now - seen >= period))
            .Select(e => e.Key).ToList();
        if (old.Count == 0) return;
        var checks = old.Select(async id =>
        {
            try
            {
                return (id, ended: await GrainFactory.ReferenceTo<IUploadSessionGrain>(id).HasEnded().WaitAsync(StatusTimeout));
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                return (id, ended: false); // unknown: keep counting it
            }
        });
        var answers = await Task.WhenAll(checks);
        foreach (var (id, _) in answers.Where(c => !c.ended)) _foundLiveAt[id] = now;
        var ended = answers.Where(c => c.ended).Select(c => c.id).ToList();
        foreach (var id in ended)
        {
            S.Live.Remove(id);
            _foundLiveAt.Remove(id);
        }
        if (ended.Count > 0)
        {
            LogForgot(ClientId, ended.Count);
            await SaveAsync();
        }
    }

    /// <summary>Debug: the process that took the request logs each refusal once, at Information, with its reason.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Client {ClientId} refused upload {UploadId}: {Reason} ({Live} live, {BytesToday} bytes today)")]
    private partial void LogRefused(string clientId, string uploadId, RefusalReason reason, int live, long bytesToday);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId}: a release could not be written now ({Detail}); the count is too high until its next write, and is put right at its limit")]
    private partial void LogWriteBehindFailed(string clientId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId}: {Count} counted sessions had ended without a release and are no longer counted")]
    private partial void LogForgot(string clientId, int count);
}
