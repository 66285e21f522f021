namespace DirectDriveX.Http;

/// <summary>On the way out of a WebSocket handler, however it leaves: waits (bounded) for the client's answer to a close the
/// server sent, so the connection ends with a completed handshake rather than a reset.</summary>
public sealed class CloseHandshake(SocketMessenger messenger) : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async ValueTask DisposeAsync() => await messenger.AwaitClientCloseAsync(Timeout);
}
