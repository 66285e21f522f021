using DirectDriveX.Gateway.Cluster;
using DirectDriveX.Gateway.Forwarding;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;
using Microsoft.Extensions.Options;
using DirectDriveX.HostDefaults;

namespace DirectDriveX.Gateway.Hosting;

/// <summary>
/// A gateway's way out on SIGTERM (README, "Operations"): <c>/readyz</c> answers 503 at once (a load balancer stops sending);
/// after <see cref="ShutdownOptions.UnreadyDelay"/> every new request but the probes is refused (503 + Retry-After, a
/// WebSocket a typed <c>reconnect</c> and close 1001); every node is asked to end the upload connections this gateway
/// forwarded to it (each gets a <c>reconnect</c> message and close 1001, or its committed offset, and commits first), and
/// the forwards are waited for, at most <see cref="ShutdownOptions.ConnectionDrainTimeout"/>; then Kestrel and the Orleans
/// client stop, all within <see cref="ShutdownOptions.DrainTimeout"/>.
/// </summary>
public sealed partial class GatewayDrain(IServiceProvider services, IOptions<ShutdownOptions> options, ILogger<GatewayDrain> logger)
    : IHostedLifecycleService
{
    private readonly CancellationTokenSource _unready = new();
    private readonly CancellationTokenSource _refusing = new();
    private int _forwarding;
    private TaskCompletionSource _idle = NewIdle();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<HttpContext, byte> _requests = new();

    /// <summary>This gateway process's id, sent to the nodes with every forwarded connection
    /// (<see cref="GatewayHeader.Name"/>): random, so nobody else can name its connections.</summary>
    public string Id { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>The gateway is leaving: <c>/readyz</c> answers 503.</summary>
    public bool IsUnready => _unready.IsCancellationRequested;

    /// <summary>The gateway refuses every new request but the probes.</summary>
    public bool IsRefusing => _refusing.IsCancellationRequested;

    public int Forwarding => Volatile.Read(ref _forwarding);

    /// <summary>Counts a forwarded upload connection until the result is disposed.</summary>
    public IDisposable BeginForward()
    {
        Interlocked.Increment(ref _forwarding);
        return new Forward(this);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        _unready.Cancel();
        var delay = options.Value.UnreadyDelay;
        if (delay > TimeSpan.Zero)
        {
            LogUnready(delay.TotalSeconds);
            try { await Task.Delay(delay, cancellationToken); } catch (OperationCanceledException) { }
        }
        _refusing.Cancel();
        var forwarded = Forwarding;
        var told = await TellNodesAsync(cancellationToken);
        var left = await WaitForForwardsAsync(options.Value.ConnectionDrainTimeout, cancellationToken);
        // Whatever request is still in flight now (one waiting on a node that is itself restarting, say) would hold
        // Kestrel's stop until the host's timeout: it ends here, and its client retries through another gateway.
        var aborted = 0;
        foreach (var request in _requests.Keys)
        {
            request.Abort();
            aborted++;
        }
        LogDrained(forwarded, told, left, aborted, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Counts a request in flight (but the probes) until the result is disposed: one still running when the
    /// drain has ended is aborted.</summary>
    public IDisposable BeginRequest(HttpContext context)
    {
        _requests[context] = 0;
        return new Request(this, context);
    }

    private sealed class Request(GatewayDrain drain, HttpContext context) : IDisposable
    {
        public void Dispose() => drain._requests.TryRemove(context, out _);
    }

    /// <summary>Asks every node (in parallel, each for at most 2 s) to tell the connections this gateway forwarded to reconnect.</summary>
    private async Task<int> TellNodesAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IClusterClient>() is not { } client) return 0;
        try
        {
            var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            var told = await Task.WhenAll(hosts.Keys.Select(async silo =>
            {
                try { return await client.ConnectionsOf(silo).CloseForwardedBy(Id).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken); }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogNodeNotTold(silo.ToString(), e.Message);
                    return 0;
                }
            }));
            return told.Sum();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNodeNotTold("*", e.Message);
            return 0;
        }
    }

    private async Task<int> WaitForForwardsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (Forwarding > 0)
        {
            var idle = Volatile.Read(ref _idle);
            if (Forwarding == 0) break;
            try { await idle.Task.WaitAsync(deadline.Token); }
            catch (OperationCanceledException) { break; }
        }
        return Forwarding;
    }

    private void Ended()
    {
        if (Interlocked.Decrement(ref _forwarding) == 0) Interlocked.Exchange(ref _idle, NewIdle()).TrySetResult();
    }

    private static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Forward(GatewayDrain drain) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) drain.Ended();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Leaving: /readyz answers 503; refusing new requests in {Seconds} s")]
    private partial void LogUnready(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained: {Forwarded} forwarded upload connections, {Told} told to reconnect by their nodes, {Left} left, {Aborted} requests still in flight aborted, in {Milliseconds:F0} ms")]
    private partial void LogDrained(int forwarded, int told, int left, int aborted, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving: node {Silo} could not be asked to end this gateway's connections: {Detail}")]
    private partial void LogNodeNotTold(string silo, string detail);
}

/// <summary>The gateway's refusal of new requests while it leaves.</summary>
public static class GatewayDrainMiddleware
{
    public static IApplicationBuilder UseGatewayDrain(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var drain = context.RequestServices.GetRequiredService<GatewayDrain>();
        var probe = context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz");
        if (probe)
        {
            await next(context);
            return;
        }
        if (!drain.IsRefusing)
        {
            using var request = drain.BeginRequest(context);
            await next(context);
            return;
        }
        context.Response.Headers.Connection = "close";
        var notice = ReconnectNotice.GatewayDraining;
        if (context.WebSockets.IsWebSocketRequest)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            using var messenger = new SocketMessenger(socket);
            await using var handshake = new CloseHandshake(messenger);
            await messenger.EndAsync(notice.SocketMessage(committedOffset: null), notice.CloseStatus, notice.Reason);
            return;
        }
        var refusals = context.RequestServices.GetRequiredService<RefusalResults>();
        await refusals.Problem(context, new UploadRefusal(RefusalReason.NodeUnavailable,
            "This gateway is shutting down; retry through another gateway.")).ExecuteAsync(context);
    });
}
