using DirectDriveX.Upload.Transfers;

namespace DirectDriveX.Deployment.Tests.UploadTool;

public class ReconnectPolicyTests
{
    [Fact]
    public void Pauses_double_up_to_the_cap_and_stop_after_the_last_attempt()
    {
        var policy = new ReconnectPolicy(MaxAttempts: 6, FirstDelay: TimeSpan.FromMilliseconds(250), MaxDelay: TimeSpan.FromSeconds(2));
        var delays = Enumerable.Range(0, 8).Select(policy.DelayBefore).ToArray();
        Assert.Equal(new TimeSpan?[]
        {
            null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), null,
        }, delays);
    }
}

public class TransientRefusalTests
{
    [Theory]
    [InlineData(503, null, null, true)]                  // no headroom: retry
    [InlineData(null, 1013, null, true)]                 // a socket's "try again later"
    [InlineData(null, 1012, null, true)]                 // the node restarts (it drains): reconnect
    [InlineData(null, 1001, null, true)]                 // the gateway goes away: reconnect through another
    [InlineData(429, null, 5, true)]                     // too many live uploads: retry after the few seconds asked
    [InlineData(429, null, 36_000, false)]               // a day's quota: waiting until midnight is not a retry
    [InlineData(429, null, null, false)]
    [InlineData(401, null, null, false)]
    [InlineData(413, null, null, false)]
    public void A_refusal_is_retried_only_when_a_short_wait_can_help(int? status, int? close, int? retryAfterSeconds, bool transient)
    {
        var refusal = new DirectDriveX.Upload.Protocol.UploadRefusedException("no", status, close)
        {
            RetryAfter = retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
        };
        Assert.Equal(transient, refusal.IsTransient);
    }
}

public class GatewayListTests
{
    [Fact]
    public void Several_gateways_may_be_given_comma_separated_and_each_must_be_an_http_url()
    {
        var gateways = DirectDriveX.Upload.UploadCommandLine.ParseGateways("http://127.0.0.1:8080, http://127.0.0.1:8090/", out var error);
        Assert.Null(error);
        Assert.Equal(["http://127.0.0.1:8080/", "http://127.0.0.1:8090/"], gateways!.Select(g => g.AbsoluteUri));
        Assert.Null(DirectDriveX.Upload.UploadCommandLine.ParseGateways("http://127.0.0.1:8080,ftp://x", out error));
        Assert.Contains("ftp://x", error);
    }

    [Fact]
    public void With_several_gateways_the_socket_goes_to_the_gateway_in_use_and_the_next_is_taken_in_turn()
    {
        using var http = new HttpClient();
        var client = new DirectDriveX.Upload.GatewayClient(http, [new Uri("http://127.0.0.1:8080/"), new Uri("http://127.0.0.1:8090/")]);
        var ticket = new DirectDriveX.Upload.Protocol.UploadTicket("u1", "t", null, 0, 1, "ws://127.0.0.1:8080/ws/upload/u1?token=t", null);
        Assert.Equal("ws://127.0.0.1:8080/ws/upload/u1?token=t", client.WebSocketUri(ticket).AbsoluteUri);
        Assert.Equal("http://127.0.0.1:8090/", client.Next().AbsoluteUri);
        Assert.Equal("ws://127.0.0.1:8090/ws/upload/u1?token=t", client.WebSocketUri(ticket).AbsoluteUri);
        Assert.Equal("http://127.0.0.1:8080/", client.Next().AbsoluteUri);
    }
}
