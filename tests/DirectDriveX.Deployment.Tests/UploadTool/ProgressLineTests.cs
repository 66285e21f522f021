using DirectDriveX.Upload.Progress;

namespace DirectDriveX.Deployment.Tests.UploadTool;

public class ProgressLineTests
{
    [Fact]
    public void Shows_bytes_percent_rate_and_eta()
    {
        var line = ProgressLine.Format("websocket big.bin", done: 256L << 20, total: 1L << 30, bytesPerSecond: 40e6, barWidth: 0);
        Assert.Equal("websocket big.bin 256.0 MiB / 1.00 GiB  25.0%     40.0 MB/s  ETA 0:20", line);
    }

    [Fact]
    public void Draws_a_bar_of_the_given_width_and_no_eta_before_a_rate_is_known()
    {
        var line = ProgressLine.Format("x", done: 5, total: 10, bytesPerSecond: 0, barWidth: 10);
        Assert.Equal("x [#####-----] 5 B / 10 B  50.0%      0.0 MB/s  ETA --:--", line);
    }

    [Fact]
    public void Shows_resumes_once_there_are_any()
    {
        Assert.EndsWith("ETA 0:20  1 resume", ProgressLine.Format("x", 256L << 20, 1L << 30, 40e6, barWidth: 0, resumes: 1));
        Assert.EndsWith("ETA 0:20  3 resumes", ProgressLine.Format("x", 256L << 20, 1L << 30, 40e6, barWidth: 0, resumes: 3));
        Assert.EndsWith("ETA 0:20", ProgressLine.Format("x", 256L << 20, 1L << 30, 40e6, barWidth: 0, resumes: 0));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(52428800, "50.0 MiB")]
    [InlineData(2530644380, "2.36 GiB")]
    public void Sizes_use_binary_units(long bytes, string text) => Assert.Equal(text, ProgressLine.Bytes(bytes));

    [Fact]
    public void Durations_over_an_hour_show_hours() =>
        Assert.Equal("1:02:03", ProgressLine.Duration(new TimeSpan(1, 2, 3)));
}
