using System.Net.WebSockets;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http;

/// <summary>Why a connection is told to reconnect, as its client hears it: the <c>reason</c> of the WebSocket
/// <c>reconnect</c> message (and of an HTTP request's 503), the close status, and a message for people.</summary>
public sealed record ReconnectNotice(string Reason, WebSocketCloseStatus CloseStatus, string Message)
{
    /// <summary>1012 Service Restart (RFC 6455 registry); not in <see cref="WebSocketCloseStatus"/>.</summary>
    public const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    /// <summary>The node serving the connection is shutting down: the session moves to a survivor.</summary>
    public static readonly ReconnectNotice NodeDraining = new("NodeDraining", ServiceRestart,
        "This node is shutting down; reconnect to resume from the committed offset (the upload moves to another node).");

    /// <summary>The gateway the connection came through is shutting down: reconnect through another.</summary>
    public static readonly ReconnectNotice GatewayDraining = new("GatewayDraining", WebSocketCloseStatus.EndpointUnavailable,
        "The gateway is shutting down; reconnect (through another gateway) to resume from the committed offset.");

    /// <summary>The WebSocket message: <c>{"type":"reconnect","reason",...,"offset","retryAfterSeconds":0}</c> (offset null
    /// when the upload was not opened).</summary>
    public object SocketMessage(long? committedOffset) => new
    {
        type = "reconnect", reason = Reason, message = Message, offset = committedOffset, retryable = true, retryAfterSeconds = 0,
    };

    /// <summary>An HTTP request's answer: retryable at once, from <paramref name="committedOffset"/>.</summary>
    public UploadRefusal Refusal(long committedOffset) => new(RefusalReason.NodeUnavailable,
        $"{Message} {committedOffset} bytes are committed.", ExpectedOffset: committedOffset);
}

/// <summary>The header a gateway names itself with on every connection it forwards (its random per-process id), so that a
/// node can tell the connections a leaving gateway forwarded to reconnect.</summary>
public static class GatewayHeader
{
    public const string Name = "X-DDX-Gateway";
}
