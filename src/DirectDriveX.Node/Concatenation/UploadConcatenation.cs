using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Node.DataPlane;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DirectDriveX.Node.Concatenation;

/// <summary>
/// One upload made of others (tus concatenation), as a capability of the upload lifecycle; the tus adapter keeps only its
/// framing (URLs, headers). A final upload is one ordinary session of the partial uploads' total size, reserving its tier like
/// any upload, into which their stored bytes are copied in order through one writer, which hashes them; completion stores one
/// file with its SHA-256. The partial uploads are sessions of their own, possibly on other nodes (their stored bytes are read
/// from the store, whichever it is).
/// <para>When every partial upload is complete at creation, the copy runs in the creating request
/// (<see cref="ConcatenateNowAsync"/>). When one is not (concatenation-unfinished), the final upload is recorded
/// (<see cref="ITusFinalUploadGrain"/>) and named by each partial (<see cref="ITusPartialUploadGrain"/>); whichever node stores
/// the last partial, by whichever protocol, starts the copy there in the background (<see cref="UploadDataPlane.StoredPartials"/>),
/// and a look at the final (<see cref="ViewFinalAsync"/>) starts it again when it was cut short (a node that stopped, no
/// headroom then): the session's id is fixed at creation, so a second start finds it and resumes it at its committed
/// offset.</para>
/// </summary>
public sealed partial class UploadConcatenation(
    UploadDataPlane plane,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<UploadConcatenation> logger) : BackgroundService
{
    /// <summary>Finals being concatenated by this node, and whether they were asked for again meanwhile.</summary>
    private readonly Dictionary<string, bool> _running = new(StringComparer.Ordinal);

    /// <summary>The partial uploads a final upload names, in order, each authorised by its token; the refusal when one is
    /// unknown, not a partial upload, or ended without completing.</summary>
    public async Task<(IReadOnlyList<UploadStatus>? Parts, UploadRefusal? Refusal)> PartialsAsync(IReadOnlyList<PartialUploadKey> keys)
    {
        var parts = new List<UploadStatus>();
        foreach (var key in keys)
        {
            var opening = await plane.OpenStatusAsync(key.UploadId, key.Token, requireToken: true);
            if (opening.Refusal is { } refused) return (null, refused with { Message = $"Partial upload {key.Name}: {refused.Message}" });
            var status = opening.Status!;
            if (!ConcatenationRole.IsPartial(status.TusConcat))
                return (null, new UploadRefusal(RefusalReason.InvalidRequest, $"Upload-Concat: {key.Name} is not a partial upload (one created with Upload-Concat: partial)."));
            if (status.State.IsFinal() && status.State != UploadState.Completed)
            {
                var ended = UploadSessionHandle.RefusalFor(status);
                return (null, ended with { Message = $"Partial upload {key.Name}: {ended.Message}" });
            }
            parts.Add(status);
        }
        return (parts, null);
    }

    /// <summary>Starts <paramref name="final"/> on this node from partial uploads that are all complete and copies their bytes
    /// into it in this call: its handle once stored, or the refusal (the session aborted). A failure of the copy (the client
    /// gone) aborts the session and is thrown.</summary>
    public async Task<(UploadSessionHandle? Session, UploadRefusal? Refusal)> ConcatenateNowAsync(
        UploadRequest final, IReadOnlyList<UploadStatus> parts, CancellationToken cancellationToken)
    {
        var (session, refusal) = await plane.StartHereAsync(final with { Size = parts.Sum(p => p.Size) });
        if (refusal is not null) return (null, refusal);
        if (session!.StoredAtStart is not null) return (session, null); // empty partial uploads: an empty file, stored as it started
        try
        {
            var stored = await session.ConcatenateAsync(parts, cancellationToken);
            LogConcatenated(session.UploadId, parts.Count, stored.File.Size, stored.File.Sha256);
            return (session, null);
        }
        catch (UploadRefusedException e)
        {
            await session.AbortAsync();
            return (null, e.Refusal);
        }
        catch
        {
            await session.AbortAsync();
            throw;
        }
    }

    /// <summary>Records a final upload whose partial uploads are not all complete yet: its id and the token that authorises
    /// it. The copy starts once the last of them is stored.</summary>
    public async Task<(string FinalId, string Token)> AwaitPartialsAsync(IReadOnlyList<UploadStatus> parts, UploadRequest final)
    {
        var finalId = UploadIds.NewId();
        var token = UploadIds.NewResumeToken();
        // Its session takes the final's own id (its stored file is /api/v1/files/{finalId}); the session's resume token is its
        // own, so the final's token is checked by the final upload's grain.
        var upload = new TusFinalUpload(finalId, [.. parts.Select(p => p.UploadId)], final.FileName, final.ContentType, final.Client,
            final.TusConcat!, final.TusMetadata, clock.GetUtcNow());
        await grains.ReferenceTo<ITusFinalUploadGrain>(finalId).Create(upload, token);
        foreach (var partialId in upload.PartialIds.Distinct(StringComparer.Ordinal))
            await grains.ReferenceTo<ITusPartialUploadGrain>(partialId).AddFinal(finalId);
        // A partial that completed after it was read above found no final to start: look again, now that every one names it.
        Kick(finalId);
        return (finalId, token);
    }

    /// <summary>Tells each final upload made of partial upload <paramref name="partialId"/>, which this node has just stored,
    /// on whichever protocol it came.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var partialId in plane.StoredPartials.ReadAllAsync(stoppingToken))
                PartialStored(partialId);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Partial upload <paramref name="partialId"/> has just been stored: each final upload made of it is concatenated
    /// (in the background) when its other partial uploads are complete too.</summary>
    private void PartialStored(string partialId) => _ = Task.Run(async () =>
    {
        try
        {
            foreach (var finalId in await grains.ReferenceTo<ITusPartialUploadGrain>(partialId).Finals()) Kick(finalId);
        }
        catch (Exception e)
        {
            LogFailed(partialId, e.Message);
        }
    });

    /// <summary>Concatenates final upload <paramref name="finalId"/> in the background when its partial uploads are complete
    /// and its copy is not done or running here already (asked again while it runs, it looks again once it ends).</summary>
    private void Kick(string finalId)
    {
        lock (_running)
        {
            if (_running.ContainsKey(finalId))
            {
                _running[finalId] = true;
                return;
            }
            _running[finalId] = false;
        }
        _ = Task.Run(async () =>
        {
            var retries = 0;
            while (true)
            {
                var again = false;
                try
                {
                    again = await ConcatenateAsync(finalId, lifetime.ApplicationStopping) && retries < RetryDelays.Length;
                }
                catch (Exception e)
                {
                    LogFailed(finalId, e.Message);
                    again = retries < RetryDelays.Length && !lifetime.ApplicationStopping.IsCancellationRequested;
                }
                if (again)
                {
                    // Nobody may look at the final again (a client that never asks for it): this node does, a little later.
                    try { await Task.Delay(RetryDelays[retries++], lifetime.ApplicationStopping); }
                    catch (OperationCanceledException) { }
                }
                lock (_running)
                {
                    if ((!again && !_running[finalId]) || lifetime.ApplicationStopping.IsCancellationRequested)
                    {
                        _running.Remove(finalId);
                        return;
                    }
                    _running[finalId] = false;
                }
            }
        });
    }

    /// <summary>How long this node waits before it looks at a final again after a look that could not start its copy for a
    /// passing reason (its session's id was active on another node, asked about meanwhile; a call that failed).</summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16)];

    /// <summary>Concatenates the final upload when its partial uploads are complete. Returns whether to look again soon: its
    /// session could not start here for a passing reason (<see cref="RefusalReason.NodeUnavailable"/>).</summary>
    private async Task<bool> ConcatenateAsync(string finalId, CancellationToken cancellationToken)
    {
        if (await grains.ReferenceTo<ITusFinalUploadGrain>(finalId).Get() is not { } final) return false;
        var parts = new List<UploadStatus>();
        foreach (var partialId in final.PartialIds)
        {
            if ((await plane.OpenStatusAsync(partialId, null, requireToken: false)).Status is not { State: UploadState.Completed } part) return false; // not yet
            parts.Add(part);
        }
        var (session, refused) = await plane.OpenAsync(final.SessionId, null, requireToken: false);
        if (refused is { Reason: RefusalReason.NotFound })
            (session, refused) = await plane.StartHereAsync(new UploadRequest(final.FileName, parts.Sum(p => p.Size), final.ContentType,
                Client: final.Client, TusMetadata: final.TusMetadata, TusConcat: final.TusConcat), final.SessionId);
        if (refused is not null)
        {
            LogNotNow(finalId, refused.Reason, refused.Message);
            return refused.Reason == RefusalReason.NodeUnavailable;
        }
        if (session!.Status.State.IsFinal() || session.StoredAtStart is not null) return false;
        var stored = await session.ConcatenateAsync(parts, cancellationToken);
        LogConcatenated(finalId, parts.Count, stored.File.Size, stored.File.Sha256);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Final upload {FinalId}: {Parts} partial uploads concatenated, {Size} bytes, sha256 {Sha256}")]
    private partial void LogConcatenated(string finalId, int parts, long size, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Final upload {FinalId} cannot be concatenated now ({Reason}: {Detail}); the next look at it tries again")]
    private partial void LogNotNow(string finalId, RefusalReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Concatenation for {UploadId} failed: {Detail}; the final upload's next look tries again")]
    private partial void LogFailed(string uploadId, string detail);
}
