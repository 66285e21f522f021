using DirectDriveX.Upload;
using DirectDriveX.Upload.Protocol;

namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>The tool's reading of the gateway's messages, on the messages the gateway's WebSocket endpoint sends.</summary>
public class ProtocolMessageTests
{
    [Fact]
    public void The_ready_message_gives_the_offset_to_resume_from()
    {
        var ready = ServerMessage.Parse("""{"type":"ready","uploadId":"u1","offset":16777216,"size":1073741824,"chunkSize":8388608,"window":53687091,"maxChunksInFlight":6}""");
        Assert.Equal(("ready", 16777216L), (ready.Type, ready.Offset));
        Assert.False(ready.IsAck || ready.IsComplete || ready.IsError);
    }

    [Fact]
    public void Acks_completion_and_errors_are_told_apart()
    {
        var ack = ServerMessage.Parse("""{"type":"ack","offset":8388608}""");
        var complete = ServerMessage.Parse("""{"type":"complete","fileId":"f1","sha256":"ab12","size":10,"node":"silo-3","downloadUrl":"/api/v1/files/f1"}""");
        var error = ServerMessage.Parse("""{"type":"error","reason":"OffsetMismatch","message":"expected 0","expectedOffset":0,"retryable":false,"figures":null}""");

        Assert.True(ack.IsAck);
        Assert.Equal(8388608L, ack.Offset);
        Assert.True(complete.IsComplete);
        Assert.Equal(("f1", "ab12"), (complete.FileId, complete.Sha256));
        Assert.True(error.IsError);
        Assert.Equal(("OffsetMismatch", "expected 0"), (error.Reason, error.Message));
    }

    [Theory]
    [InlineData(100_000_000, 8_388_608, null, 100_000_000)]
    [InlineData(53_687_091, 8_388_608, 6, 50_331_648)]
    [InlineData(1_000_000, 8_388_608, 1, 8_388_608)]
    public void The_window_is_the_reservation_bounded_by_whole_chunks_in_flight_and_at_least_one_chunk(
        long reserved, int chunkSize, int? maxChunksInFlight, long window)
    {
        var ticket = new UploadTicket("u", "t", "silo-1", reserved, chunkSize, "/ws/upload/u", maxChunksInFlight);
        Assert.Equal(window, ticket.WindowBytes);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/", "/ws/upload/u1", "ws://127.0.0.1:8080/ws/upload/u1?token=s%2Becret")]
    [InlineData("https://files.example/", "/ws/upload/u1", "wss://files.example/ws/upload/u1?token=s%2Becret")]
    [InlineData("http://127.0.0.1:8080/", "ws://10.0.0.5:8080/ws/upload/u1?token=given", "ws://10.0.0.5:8080/ws/upload/u1?token=given")]
    [InlineData("http://127.0.0.1:8080/", null, "ws://127.0.0.1:8080/ws/upload/u1?token=s%2Becret")]
    public void The_socket_address_comes_from_the_ticket_with_the_resume_token(string gateway, string? webSocketUrl, string expected)
    {
        using var http = new HttpClient { BaseAddress = new Uri(gateway) };
        var ticket = new UploadTicket("u1", "s+ecret", "silo-1", 1, 1, webSocketUrl, 1);
        Assert.Equal(expected, new GatewayClient(http).WebSocketUri(ticket).AbsoluteUri);
    }
}
