using DirectDriveX.Upload.Progress;

namespace DirectDriveX.Deployment.Tests.UploadTool;

public class RateMeterTests
{
    [Fact]
    public void Rate_is_measured_over_the_recent_window_only()
    {
        var meter = new RateMeter(TimeSpan.FromSeconds(2));
        Assert.Equal(0, meter.BytesPerSecond);
        meter.Add(TimeSpan.FromSeconds(0), 0);
        meter.Add(TimeSpan.FromSeconds(1), 100_000_000); // 100 MB/s to begin with
        Assert.Equal(100e6, meter.BytesPerSecond);
        meter.Add(TimeSpan.FromSeconds(4), 110_000_000);
        meter.Add(TimeSpan.FromSeconds(5), 120_000_000); // then 10 MB/s
        Assert.Equal(10e6, meter.BytesPerSecond);
    }
}
