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
