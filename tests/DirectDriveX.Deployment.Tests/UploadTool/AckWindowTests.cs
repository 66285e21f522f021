using DirectDriveX.Upload.Transfers;

namespace DirectDriveX.Deployment.Tests.UploadTool;

public class AckWindowTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void Unacknowledged_bytes_never_exceed_the_window()
    {
        var window = new AckWindow(windowBytes: 24 * MiB, startOffset: 0);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(window.HasRoomFor(8 * MiB));
            window.Sent(8 * MiB);
        }
        Assert.False(window.HasRoomFor(1));
        Assert.Equal(24 * MiB, window.InFlight);
    }

    [Fact]
    public void A_cumulative_acknowledgement_frees_every_chunk_it_covers()
    {
        var window = new AckWindow(24 * MiB, 0);
        window.Sent(8 * MiB);
        window.Sent(8 * MiB);
        window.Sent(8 * MiB);

        window.Acknowledge(16 * MiB);

        Assert.Equal((16 * MiB, 8 * MiB), (window.Acknowledged, window.InFlight));
        Assert.True(window.HasRoomFor(16 * MiB));
        Assert.False(window.HasRoomFor(16 * MiB + 1));
    }

    [Fact]
    public void One_chunk_may_always_be_in_flight_even_when_larger_than_the_window()
    {
        var window = new AckWindow(windowBytes: 1 * MiB, startOffset: 0);
        Assert.True(window.HasRoomFor(8 * MiB));
        window.Sent(8 * MiB);
        Assert.False(window.HasRoomFor(1));
    }

    [Fact]
    public void A_resumed_window_counts_from_the_committed_offset()
    {
        var window = new AckWindow(16 * MiB, startOffset: 100 * MiB);
        window.Sent(8 * MiB);
        window.Acknowledge(108 * MiB);
        Assert.Equal((108 * MiB, 108 * MiB, 0L), (window.Acknowledged, window.SentEnd, window.InFlight));
    }

    [Fact]
    public void Stale_acknowledgements_change_nothing_and_one_past_what_was_sent_is_an_error()
    {
        var window = new AckWindow(16 * MiB, 0);
        window.Sent(8 * MiB);
        window.Acknowledge(8 * MiB);
        window.Acknowledge(4 * MiB);
        Assert.Equal(8 * MiB, window.Acknowledged);
        Assert.Throws<InvalidOperationException>(() => window.Acknowledge(9 * MiB));
    }

    [Fact]
    public async Task A_sender_waiting_for_room_is_released_by_the_acknowledgement_that_makes_it()
    {
        var window = new AckWindow(16 * MiB, 0);
        window.Sent(8 * MiB);
        window.Sent(8 * MiB);

        var waiting = window.WaitForRoomAsync(8 * MiB, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        window.Acknowledge(4 * MiB);
        Assert.False(waiting.IsCompleted);
        window.Acknowledge(8 * MiB);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Waiting_for_room_ends_when_the_connection_is_cancelled()
    {
        var window = new AckWindow(8 * MiB, 0);
        window.Sent(8 * MiB);
        using var cancellation = new CancellationTokenSource();
        var waiting = window.WaitForRoomAsync(8 * MiB, cancellation.Token);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
