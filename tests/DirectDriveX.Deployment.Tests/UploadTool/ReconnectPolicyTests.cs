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
