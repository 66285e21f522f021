using System.Buffers;
using System.IO.Pipelines;
using DirectDriveX.Http;

namespace DirectDriveX.Gateway.Forwarding;

/// <summary>
/// A forwarded request body (PUT chunks, a tus PATCH or creation with bytes, multipart) whose node may answer before it has
/// all of it: a draining node answers 503 with the committed offset, a node refusing the request at once (a wrong offset, a
/// bad token) answers without reading. Over HTTP/1.1 .NET's HttpClient reads no answer before it has sent the whole body, and
/// the client may be waiting for exactly that answer before it sends more. So the node's connection
/// (<see cref="EarlyAnswerConnection"/>) watches for the node's first byte while the body is on its way; when one comes first,
/// this body stops reading the client and gives the HttpClient the rest of its declared length unread (the connection drops
/// those writes: the node reads no more), the HttpClient reads the node's answer and YARP relays it. What the client still
/// sends is then read and discarded by Kestrel, as after any answer given before the whole body (for at most 5 s), so that a
/// client that reads no answer before its body is sent (HttpClient) still gets it if it finishes within that time.
/// </summary>
public sealed class EarlyAnswerBody : ForwardReadStream
{
    private static readonly AsyncLocal<EarlyAnswerBody?> Forwarding = new();
    private readonly HttpContext _context;
    private readonly Stream _inner;
    private readonly PipeReader _reader;
    private readonly long? _length;
    private readonly CancellationTokenSource _answered = new();
    private long _read;
    private volatile bool _ended;

    private EarlyAnswerBody(HttpContext context)
    {
        _context = context;
        _inner = context.Request.Body;
        _reader = context.Request.BodyReader; // before this body takes the place of the stream (it would wrap this then)
        _length = context.Request.ContentLength;
    }

    /// <summary>The body being forwarded on this flow (set by <see cref="Begin"/>), for the connection that carries it.</summary>
    internal static EarlyAnswerBody? Current => Forwarding.Value;

    /// <summary>Whether the node has begun to answer: from then on it reads nothing more of this request.</summary>
    internal bool Answered => _answered.IsCancellationRequested;

    /// <summary>For a request with a body about to be forwarded (no WebSocket): takes the place of its body and is the
    /// current one on this flow until disposed.</summary>
    public static EarlyAnswerBody Begin(HttpContext context)
    {
        var body = new EarlyAnswerBody(context);
        context.Request.Body = body;
        Forwarding.Value = body;
        return body;
    }

    /// <summary>The node sent something (or closed its end): if the body is not all sent, that is its final answer.</summary>
    internal void NodeAnswered()
    {
        if (_ended || (_length is { } length && _read >= length)) return;
        _answered.Cancel();
        _reader.CancelPendingRead();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Read through the request's pipe, not its stream: a read cancelled when the node answers (CancelPendingRead) then
        // leaves the pipe as it was, so that Kestrel can still read and discard the rest after the answer.
        if (!Answered)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            if (!result.IsCanceled)
            {
                var read = (int)Math.Min(buffer.Length, result.Buffer.Length);
                result.Buffer.Slice(0, read).CopyTo(buffer.Span);
                // A zero-byte read (waiting for data) consumes nothing and examines nothing: the next read gets the data.
                _reader.AdvanceTo(result.Buffer.GetPosition(read));
                _read += read;
                _ended |= read == 0 && !buffer.IsEmpty && result.IsCompleted;
                return read;
            }
            _reader.AdvanceTo(result.Buffer.Start);
            if (!Answered) throw new OperationCanceledException("The read was canceled.");
        }
        // What is left of the declared length, never read from the client: the connection drops it.
        var rest = (int)Math.Min(buffer.Length, (_length ?? _read) - _read);
        _read += rest;
        return rest;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (Forwarding.Value == this) Forwarding.Value = null;
            _ended = true; // the request is over: a late NodeAnswered must not cancel a read of the connection's next request
            _context.Request.Body = _inner; // _answered is not disposed: the connection's watch may still call NodeAnswered
        }
        base.Dispose(disposing);
    }
}
