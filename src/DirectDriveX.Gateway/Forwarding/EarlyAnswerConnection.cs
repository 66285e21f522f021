using System.Net.Sockets;

namespace DirectDriveX.Gateway.Forwarding;

/// <summary>
/// The gateway's TCP connection to a node for one forwarded request with a body (the request says Connection: close, so a
/// connection never carries a second one). From the request's first write it waits for the node's first byte with a
/// zero-byte receive, which takes nothing from the socket: when the node answers before the body is all sent, it tells the
/// request's <see cref="EarlyAnswerBody"/> and drops every later write (the node reads no more of it, and may have closed),
/// so the HttpClient gets to read the answer that is waiting in the socket.
/// </summary>
public sealed class EarlyAnswerConnection : Stream
{
    private readonly Socket _socket;
    private readonly NetworkStream _inner;
    private EarlyAnswerBody? _body;
    private bool _watching;

    private EarlyAnswerConnection(Socket socket)
    {
        _socket = socket;
        _inner = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>The handler that opens such connections: no proxy, no redirects, no cookies, as every forward.</summary>
    public static SocketsHttpHandler Handler(Action<SocketsHttpHandler> configure)
    {
        var handler = new SocketsHttpHandler { ConnectCallback = ConnectAsync };
        configure(handler);
        return handler;
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new EarlyAnswerConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Watch();
        if (_body?.Answered == true) return;
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken);
        }
        catch (IOException) when (AnswerWaiting())
        {
            // The node answered and closed its end before the watch saw it: its answer is in the socket.
        }
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_body?.Answered == true) return;
        try { await _inner.FlushAsync(cancellationToken); } catch (IOException) when (AnswerWaiting()) { }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Starts, at the request's first write (on its flow), the wait for the node's first byte.</summary>
    private void Watch()
    {
        if (_watching) return;
        _watching = true;
        _body = EarlyAnswerBody.Current;
        if (_body is not null) _ = WatchAsync(_body);
    }

    private async Task WatchAsync(EarlyAnswerBody body)
    {
        try
        {
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset or closed: the HttpClient's read says what happened.
        }
        body.NodeAnswered();
    }

    private bool AnswerWaiting()
    {
        if (_body is null) return false;
        try
        {
            if (_socket.Available > 0) _body.NodeAnswered();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
        return _body.Answered;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        _inner.Dispose();
        return base.DisposeAsync();
    }
}
