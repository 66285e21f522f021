using System.Collections.Concurrent;
using System.Net.WebSockets;
using DirectDriveX.Node.Draining;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;
using Orleans.Core.Internal;

namespace DirectDriveX.Protocols;

/// <summary>
/// Every upload connection this process's data plane serves (WebSocket, PUT chunks, multipart, tus PATCH), so that they can
/// be ended cleanly when the process drains (SIGTERM: <see cref="DrainAsync"/>) or a gateway they came through does
/// (<see cref="ReconnectForwardedBy"/>): each is told to reconnect, commits what it holds first, and ends. While the node
/// drains, a session whose connection ended here is deactivated, so that the client's reconnect activates it on a survivor
/// at once; a connection that arrives meanwhile is told to reconnect before it takes a byte.
/// </summary>
public sealed partial class UploadConnections(NodeDrain drain, IGrainFactory grains, ILogger<UploadConnections> logger)
    : IUploadConnectionDirectory
{
    private readonly ConcurrentDictionary<Connection, byte> _open = new();
    private TaskCompletionSource _empty = NewEmpty();

    public int Count => _open.Count;

    public bool IsDraining => drain.IsDraining;

    /// <summary>Registers a connection for upload <paramref name="uploadId"/>; dispose it when the connection ends. One that
    /// arrives while the node drains is told to reconnect at once (<see cref="Connection.ReconnectRequested"/>).</summary>
    public Connection Open(HttpContext context, string uploadId)
    {
        var via = context.Request.Headers[GatewayHeader.Name].FirstOrDefault();
        var connection = new Connection(this, context, uploadId, string.IsNullOrEmpty(via) ? null : via);
        _open[connection] = 0;
        if (drain.IsDraining) connection.Request(ReconnectNotice.NodeDraining);
        return connection;
    }

    /// <summary>Starts the node's drain (if not started) and tells every connection to reconnect; waits until all have
    /// ended, at most <paramref name="timeout"/>, then aborts the ones left. Returns how many were left to abort.</summary>
    public async Task<int> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        drain.Begin();
        var connections = _open.Keys.ToList();
        LogDraining(connections.Count);
        foreach (var connection in connections) connection.Request(ReconnectNotice.NodeDraining);
        await WaitUntilEmptyAsync(timeout, cancellationToken);
        var left = _open.Keys.ToList();
        foreach (var connection in left)
        {
            LogAborted(connection.UploadId);
            connection.Context.Abort();
        }
        return left.Count;
    }

    public int ReconnectForwardedBy(string gatewayId)
    {
        var count = 0;
        foreach (var connection in _open.Keys)
        {
            if (connection.Via != gatewayId) continue;
            connection.Request(ReconnectNotice.GatewayDraining);
            count++;
        }
        LogGatewayLeaving(gatewayId, count);
        return count;
    }

    private async Task WaitUntilEmptyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!_open.IsEmpty)
        {
            var empty = Volatile.Read(ref _empty);
            if (_open.IsEmpty) break;
            try { await empty.Task.WaitAsync(deadline.Token); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>For a connection that arrived while the node drains, before it is told to reconnect: waits (at most
    /// <see cref="LetGoWait"/>) for the upload's earlier connection here to commit and end, and deactivates the session, so
    /// that the client's next reconnect finds it on a survivor.</summary>
    public async Task LetGoAsync(Connection connection)
    {
        if (!drain.IsDraining || !connection.SessionHere) return;
        var earlier = _open.Keys.Where(c => !ReferenceEquals(c, connection) && c.UploadId == connection.UploadId).Select(c => c.Ended);
        try { await Task.WhenAll(earlier).WaitAsync(LetGoWait); }
        catch (TimeoutException) { }
        await DeactivateAsync(connection.UploadId);
    }

    public static readonly TimeSpan LetGoWait = TimeSpan.FromSeconds(2);

    private void Closed(Connection connection)
    {
        if (!_open.TryRemove(connection, out _)) return;
        if (_open.IsEmpty) Interlocked.Exchange(ref _empty, NewEmpty()).TrySetResult();
        if (drain.IsDraining && connection.SessionHere) _ = DeactivateAsync(connection.UploadId);
    }

    /// <summary>The session lives on in storage; its next call activates it on a survivor (this node places none on itself
    /// while it drains).</summary>
    private async Task DeactivateAsync(string uploadId)
    {
        try
        {
            await grains.ReferenceTo<IUploadSessionGrain>(uploadId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
            LogDeactivated(uploadId);
        }
        catch (Exception e)
        {
            LogDeactivationFailed(uploadId, e.Message);
        }
    }

    private static TaskCompletionSource NewEmpty() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One upload connection.</summary>
    public sealed class Connection : IDisposable
    {
        private readonly UploadConnections _owner;
        private readonly CancellationTokenSource _reconnect = new();
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ReconnectNotice? _notice;

        internal Connection(UploadConnections owner, HttpContext context, string uploadId, string? via)
        {
            _owner = owner;
            Context = context;
            UploadId = uploadId;
            Via = via;
        }

        internal HttpContext Context { get; }
        public string UploadId { get; }

        /// <summary>The gateway that forwarded it (<see cref="GatewayHeader"/>), if one did.</summary>
        public string? Via { get; }

        /// <summary>Set once the connection opened its session on this node: only such a session is deactivated when the
        /// connection ends during the drain (a session that lives elsewhere is left alone).</summary>
        public bool SessionHere { get; set; }

        /// <summary>Cancelled when the connection must end and its client reconnect (<see cref="Notice"/> says why).</summary>
        public CancellationToken ReconnectRequested => _reconnect.Token;

        public ReconnectNotice? Notice => Volatile.Read(ref _notice);

        /// <summary>Completes when the connection has ended (<see cref="Dispose"/>).</summary>
        internal Task Ended => _ended.Task;

        internal void Request(ReconnectNotice notice)
        {
            if (Interlocked.CompareExchange(ref _notice, notice, null) is not null) return;
            try { _reconnect.Cancel(); } catch (Exception e) when (e is ObjectDisposedException or AggregateException) { }
        }

        public void Dispose()
        {
            _owner.Closed(this);
            _ended.TrySetResult();
            _reconnect.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: telling {Count} upload connections to reconnect elsewhere")]
    private partial void LogDraining(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: the connection of upload {UploadId} did not end in time; aborted")]
    private partial void LogAborted(string uploadId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {Gateway} is leaving: {Count} of its upload connections told to reconnect")]
    private partial void LogGatewayLeaving(string gateway, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: session of upload {UploadId} deactivated here, to reactivate on a survivor")]
    private partial void LogDeactivated(string uploadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: session of upload {UploadId} could not be deactivated: {Detail}")]
    private partial void LogDeactivationFailed(string uploadId, string detail);
}
