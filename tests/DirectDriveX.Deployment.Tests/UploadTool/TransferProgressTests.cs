using DirectDriveX.Upload.Progress;

namespace DirectDriveX.Deployment.Tests.UploadTool;

/// <summary>The closing average is bytes over the time data flowed: hashing, connection setup and reconnect pauses apart.</summary>
public class TransferProgressTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(double seconds) => _ticks += TimeSpan.FromSeconds(seconds).Ticks;
    }

    [Fact]
    public void The_average_leaves_out_hashing_setup_and_the_pause_before_a_resume()
    {
        var clock = new ManualClock();
        var log = new StringWriter();
        var progress = new TransferProgress("websocket big.bin", 300_000_000, log, interactive: false, time: clock);

        clock.Advance(5);                                    // hashing the file
        progress.AddCreateTime(TimeSpan.FromSeconds(0.25));  // POST /api/v1/uploads
        progress.AddConnectTime(TimeSpan.FromSeconds(0.5));  // the WebSocket handshake and 'ready'
        clock.Advance(0.75);
        progress.Report(0);
        progress.TransferStarted();
        clock.Advance(2);
        progress.Report(100_000_000);
        progress.TransferStopped();                          // the connection dropped
        clock.Advance(1);                                    // the pause before reconnecting
        progress.Resumed();
        progress.AddConnectTime(TimeSpan.FromSeconds(0.25));
        clock.Advance(0.25);
        progress.TransferStarted();
        clock.Advance(2);
        progress.Report(300_000_000);
        progress.Dispose();

        Assert.Equal(TimeSpan.FromSeconds(4), progress.TransferTime);
        Assert.Equal(TimeSpan.FromSeconds(1), progress.SetupTime);
        Assert.Equal(75e6, progress.AverageBytesPerSecond);
        Assert.Equal(1, progress.Resumes);
        var lines = log.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.EndsWith("  1 resume", lines[^2]);
        Assert.Equal("websocket big.bin: 286.1 MiB in 4.0 s of transfer, 75.0 MB/s average; setup 1.00 s (create 0.25 s, connect 0.75 s); "
                     + "1 resume; 11.0 s in all", lines[^1]);
    }

    [Fact]
    public void A_transfer_still_running_counts_up_to_now()
    {
        var clock = new ManualClock();
        using var progress = new TransferProgress("download x", 10_000_000, TextWriter.Null, interactive: false, time: clock);
        progress.TransferStarted();
        clock.Advance(2);
        progress.Report(10_000_000);

        Assert.Equal(TimeSpan.FromSeconds(2), progress.TransferTime);
        Assert.Equal(5e6, progress.AverageBytesPerSecond);
    }

    [Fact]
    public void Without_a_timed_transfer_the_average_is_over_the_whole_time()
    {
        var clock = new ManualClock();
        using var progress = new TransferProgress("x", 1_000, TextWriter.Null, interactive: false, time: clock);
        clock.Advance(4);
        progress.Report(1_000);
        Assert.Equal(250, progress.AverageBytesPerSecond);
    }
}
