using System.Diagnostics;
using DirectDriveX.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DirectDriveX.Node.Storage;

/// <summary>
/// Reaches this node's store as the node starts (<see cref="IUploadStore.CheckAsync"/>: a bucket or container created where
/// configured, then read), again and again until it answers: a wrong endpoint, bucket or credential is told in the log at
/// start, not by the first upload's refusal. The store's client is loaded and its first request made then, not during the
/// first upload. It does not hold the node's readiness: a store that answers one request badly (s3rver's listing after a
/// writer was killed mid-PUT) must not keep a restarted node out of the cluster. A store that fails later is answered
/// per request (a typed refusal, <see cref="Grains.Interfaces.RefusalReason.StorageFailure"/>).
/// </summary>
public sealed partial class StoreCheck(IUploadStore store, ILogger<StoreCheck> logger) : BackgroundService
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    public const string NotCheckedYet = "not checked yet";

    private volatile string? _failure = NotCheckedYet;

    /// <summary>Why the store has not answered yet, or null once it has.</summary>
    public string? Failure => _failure;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the store's client is built and its first request made off the host's start
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(CallTimeout);
                await store.CheckAsync(timeout.Token);
                _failure = null;
                LogReached(store.Kind, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _failure = e is OperationCanceledException ? $"no answer within {CallTimeout.TotalSeconds:0} s" : e.Message;
                LogUnreachable(store.Kind, _failure, retry.TotalSeconds);
            }
            try { await Task.Delay(retry, stoppingToken); }
            catch (OperationCanceledException) { return; }
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Kind} store answered in {Milliseconds} ms")]
    private partial void LogReached(StoreKind kind, long milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Kind} store cannot be reached: {Detail}; this node tries again in {Seconds} s")]
    private partial void LogUnreachable(StoreKind kind, string detail, double seconds);
}
