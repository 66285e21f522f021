using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using static DirectDriveX.Grains.Sessions.IdlePolicy;

namespace DirectDriveX.Grains.Tests.Policy;

public class IdlePolicyTests
{
    private static readonly TimeSpan FirstByte = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static Step After(UploadState state, TimeSpan idle) => Next(state, idle, FirstByte, Lease, Window);

    [Theory]
    [InlineData(UploadState.Created)]
    [InlineData(UploadState.Reserved)]
    public void Without_a_byte_an_upload_ends_at_the_first_byte_deadline_and_never_parks(UploadState state)
    {
        Assert.Equal(Step.None, After(state, FirstByte - TimeSpan.FromTicks(1)));
        Assert.Equal(Step.Expire, After(state, FirstByte));
        Assert.Equal(Step.Expire, After(state, Lease));
    }

    [Fact]
    public void With_committed_bytes_an_upload_parks_at_the_lease_timeout_and_expires_at_the_resume_window()
    {
        Assert.Equal(Step.None, After(UploadState.Receiving, Lease - TimeSpan.FromTicks(1)));
        Assert.Equal(Step.Park, After(UploadState.Receiving, Lease));
        Assert.Equal(Step.Park, After(UploadState.Receiving, Window - TimeSpan.FromTicks(1)));
        Assert.Equal(Step.Expire, After(UploadState.Receiving, Window)); // a session that was not asked in time goes at once
        Assert.Equal(Step.None, After(UploadState.Parked, Lease));
        Assert.Equal(Step.None, After(UploadState.Parked, Window - TimeSpan.FromTicks(1)));
        Assert.Equal(Step.Expire, After(UploadState.Parked, Window));
    }

    [Fact]
    public void A_resume_window_shorter_than_the_lease_expires_without_parking() =>
        Assert.Equal(Step.Expire, Next(UploadState.Receiving, TimeSpan.FromMinutes(2), FirstByte, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)));

    [Theory]
    [InlineData(UploadState.Completed)]
    [InlineData(UploadState.Aborted)]
    [InlineData(UploadState.Expired)]
    [InlineData(UploadState.Failed)]
    public void A_finished_upload_does_nothing_more(UploadState state) => Assert.Equal(Step.None, After(state, TimeSpan.FromDays(365)));

    [Fact]
    public void The_expiry_says_without_data_only_for_an_upload_that_had_none()
    {
        Assert.Equal(new UploadRefusal(RefusalReason.Expired, "Upload u expired without data; start a new upload."), Expired("u", 0, Window));
        var withData = Expired("u", 13 * 1024 * 1024, Window);
        Assert.Equal(new UploadRefusal(RefusalReason.Expired,
            "Upload u expired: it was not resumed within 1.00:00:00 of its last commit, and its 13631488 committed bytes were deleted; start a new upload."), withData);
        Assert.DoesNotContain("without data", withData.Message);
    }

    [Fact]
    public void A_writer_checks_in_three_times_within_the_shorter_deadline()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), CheckInInterval(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)));
        Assert.Equal(TimeSpan.FromSeconds(1), CheckInInterval(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(3)));
    }
}
