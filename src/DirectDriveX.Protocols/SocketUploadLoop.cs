using System.Net.WebSockets;
using System.Text;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Protocols;

/// <summary>
/// Receives an upload's bytes from a WebSocket straight into the writer's pooled chunk buffer (binary messages), hands text
/// messages to the protocol, and stops when the declared size has arrived, the protocol says so, or the client closes.
/// Nothing is received until the previous bytes are in the file, so a client that sends faster than the disk takes is
/// slowed by TCP backpressure, not buffered; and the writer's pooled buffer is given back whenever the client has nothing
/// more to send right now, so a slow client holds none while it waits. A pending receive is never cancelled for a refusal (that would abort the socket
/// before the client hears why): the refusal is sent and the close started by whoever sees it, and the loop ends when the
/// client answers the close or sends more.
/// </summary>
public sealed class SocketUploadLoop(WebSocket socket, StagingWriter writer, long size, int? maxBinaryMessageBytes, int maxTextMessageBytes)
{
    public enum Outcome { AllBytesReceived, StoppedByProtocol, ClientClosed }

    /// <param name="onText">Handles a whole text message; returns true to stop receiving.</param>
    public async Task<Outcome> RunAsync(Func<string, Task<bool>> onText, CancellationToken cancellationToken)
    {
        var token = cancellationToken;
        long messageBytes = 0;
        while (writer.ReceivedOffset < size || !IsMessageBoundary(messageBytes))
        {
            // Wait for the next bytes without a pooled buffer (a zero-byte receive); while none have arrived, what was
            // received is in the file and the buffer back in the pool, so slow clients do not each hold one.
            var ready = socket.ReceiveAsync(Memory<byte>.Empty, token);
            if (!ready.IsCompleted) await writer.PauseAsync();
            var peeked = await ready;
            if (peeked.MessageType == WebSocketMessageType.Close) return Outcome.ClientClosed;
            if (peeked.EndOfMessage)
            {
                // The zero-byte receive took a whole empty message.
                if (peeked.MessageType == WebSocketMessageType.Text && await onText("")) return Outcome.StoppedByProtocol;
                if (peeked.MessageType == WebSocketMessageType.Binary) messageBytes = 0;
                continue;
            }
            var memory = await writer.GetMemoryAsync(token);
            var result = await socket.ReceiveAsync(memory, token);
            if (result.MessageType == WebSocketMessageType.Close) return Outcome.ClientClosed;
            if (result.MessageType == WebSocketMessageType.Text)
            {
                var text = await ReadTextAsync(memory[..result.Count], result.EndOfMessage, token);
                if (await onText(text)) return Outcome.StoppedByProtocol;
                continue;
            }

            messageBytes += result.Count;
            if (maxBinaryMessageBytes is { } max && messageBytes > max)
                throw new UploadRefusedException(new UploadRefusal(RefusalReason.ChunkTooLarge,
                    $"A binary message is over this upload's chunk size of {max} bytes."));
            if (writer.ReceivedOffset + result.Count > size)
                throw new UploadRefusedException(PastDeclaredSize.Refusal(size));
            await writer.AdvanceAsync(result.Count, token);
            if (result.EndOfMessage) messageBytes = 0;
        }
        return Outcome.AllBytesReceived;

        static bool IsMessageBoundary(long bytesIntoMessage) => bytesIntoMessage == 0;
    }

    private async Task<string> ReadTextAsync(Memory<byte> first, bool complete, CancellationToken token)
    {
        var text = new MemoryStream();
        text.Write(first.Span);
        var buffer = new byte[16 * 1024];
        while (!complete)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), token);
            text.Write(buffer, 0, result.Count);
            if (text.Length > maxTextMessageBytes)
                throw new UploadRefusedException(new UploadRefusal(RefusalReason.ChunkTooLarge,
                    $"A text message is over {maxTextMessageBytes} bytes."));
            complete = result.EndOfMessage;
        }
        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }
}
