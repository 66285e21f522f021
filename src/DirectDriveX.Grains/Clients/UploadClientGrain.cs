using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Clients;

/// <summary>
/// One client's count (<see cref="IUploadClientGrain"/>), kept in grain storage so that it survives its silo. Admission is
/// <see cref="ClientAdmissionPolicy"/> over the state; each admitted upload is released by its session on every way out.
/// A release that could not be delivered (the session's node died and nobody resumed it) is caught when the client is at
/// its limit: its older sessions are asked where they stand, which reactivates them, and their own deadlines end them.
/// A parked session (idle past its lease, resumable) holds no live slot: <see cref="Park"/> frees it, and <see cref="TryResume"/>
/// counts it again, against the concurrent limit only. A client leaves no record once nothing of it needs counting: no live
/// or parked session, and no bytes held against a day limit.
/// </summary>
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

    private string ClientId => this.GetPrimaryKeyString();
    private UploadClientState S => state.State;

    public async Task<UploadRefusal?> TryAdmit(string uploadId, long size, ClientLimits limits)
    {
        if (S.Live.ContainsKey(uploadId)) return null;
        var now = clock.GetUtcNow();
        RollDay(now);
        if (S.Live.Count >= limits.MaxConcurrentUploads) await ForgetEndedAsync(now);
        if (ClientAdmissionPolicy.Check(ClientId, S.Live.Count, S.BytesToday, size, limits, now) is { } refusal)
        {
            LogRefused(ClientId, uploadId, refusal.Reason, S.Live.Count, S.BytesToday);
            return refusal;
        }
        S.Live[uploadId] = new CountedUpload(size, now, S.Day);
        state.State = S with { BytesToday = S.BytesToday + size, DayLimited = limits.BytesPerDay is not null };
        await state.WriteStateAsync();
        return null;
    }

    public async Task<UploadRefusal?> TryDeclare(string uploadId, long size, ClientLimits limits)
    {
        var live = S.Live.TryGetValue(uploadId, out var counted);
        if (!live && !S.Parked.TryGetValue(uploadId, out counted)) counted = null;
        if (counted is not null && counted.Size == size) return null;
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
        state.State = S with { BytesToday = S.BytesToday - counting + size, DayLimited = limits.BytesPerDay is not null };
        await state.WriteStateAsync();
        return null;
    }

    public async Task Park(string uploadId)
    {
        _foundLiveAt.Remove(uploadId);
        if (!S.Live.Remove(uploadId, out var counted)) return;
        S.Parked[uploadId] = counted;
        await SaveAsync();
    }

    public async Task<UploadRefusal?> TryResume(string uploadId, ClientLimits limits)
    {
        if (S.Live.ContainsKey(uploadId)) return null;
        var now = clock.GetUtcNow();
        RollDay(now);
        if (S.Live.Count >= limits.MaxConcurrentUploads) await ForgetEndedAsync(now);
        if (ClientAdmissionPolicy.CheckResume(ClientId, S.Live.Count, limits) is { } refusal)
        {
            LogRefused(ClientId, uploadId, refusal.Reason, S.Live.Count, S.BytesToday);
            return refusal;
        }
        // A parked upload this record no longer knows (it expired meanwhile) is counted live again, with no bytes to give back.
        var counted = S.Parked.Remove(uploadId, out var parked) ? parked : new CountedUpload(0, now, S.Day);
        S.Live[uploadId] = counted with { AdmittedAt = now };
        await state.WriteStateAsync();
        return null;
    }

    public async Task Release(string uploadId, long receivedBytes)
    {
        _foundLiveAt.Remove(uploadId);
        if (!S.Live.Remove(uploadId, out var counted) && !S.Parked.Remove(uploadId, out counted)) return;
        RollDay(clock.GetUtcNow());
        // Bytes declared and never received go back to the day's quota, if that day is still today.
        if (counted.Day == S.Day)
            state.State = S with { BytesToday = Math.Max(0, S.BytesToday - Math.Max(0, counted.Size - receivedBytes)) };
        await SaveAsync();
    }

    public Task<ClientUsage> GetState()
    {
        RollDay(clock.GetUtcNow());
        return Task.FromResult(new ClientUsage(ClientId, [.. S.Live.Keys], S.BytesToday, S.Day));
    }

    private void RollDay(DateTimeOffset now)
    {
        var today = ClientAdmissionPolicy.DayOf(now);
        if (S.Day != today) state.State = S with { Day = today, BytesToday = 0 };
    }

    /// <summary>Asks each counted session admitted (or last found live) at least <see cref="UploadOptions.ClientRecheckAfter"/>
    /// ago where it stands, and forgets those that have ended or never started. Returns how many were forgotten.</summary>
    private async Task<int> ForgetEndedAsync(DateTimeOffset now)
    {
        var period = options.Value.ClientRecheckAfter;
        var old = S.Live
            .Where(e => now - e.Value.AdmittedAt >= period && (!_foundLiveAt.TryGetValue(e.Key, out var seen) || now - seen >= period))
            .Select(e => e.Key).ToList();
        if (old.Count == 0) return 0;
        var checks = old.Select(async id =>
        {
            try
            {
                return (id, ended: await GrainFactory.GetGrain<IUploadSessionGrain>(id).HasEnded().WaitAsync(StatusTimeout));
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
        return ended.Count;
    }

    /// <summary>A client with nothing counted leaves no record behind: no live session, and no bytes that a day limit
    /// still needs (without one, today's bytes are only a figure, not worth a record per address that ever uploaded).</summary>
    private Task SaveAsync() => S.Live.Count == 0 && S.Parked.Count == 0 && (S.BytesToday == 0 || !S.DayLimited)
        ? state.ClearStateAsync()
        : state.WriteStateAsync();

    /// <summary>Debug: the process that took the request logs each refusal once, at Information, with its reason.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Client {ClientId} refused upload {UploadId}: {Reason} ({Live} live, {BytesToday} bytes today)")]
    private partial void LogRefused(string clientId, string uploadId, RefusalReason reason, int live, long bytesToday);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId}: {Count} counted sessions had ended without a release and are no longer counted")]
    private partial void LogForgot(string clientId, int count);
}
