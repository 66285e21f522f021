using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.Tests.Policy;

public class StorePromiseRecheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    [Fact]
    public void Only_promises_given_or_last_found_held_at_least_the_period_ago_are_checked()
    {
        var promises = new Dictionary<string, StorePromise>
        {
            ["old"] = new(10, Now - Period),
            ["older"] = new(10, Now - TimeSpan.FromHours(3)),
            ["young"] = new(10, Now - Period + TimeSpan.FromMilliseconds(1)),
            ["now"] = new(10, Now),
        };
        Assert.Equal(["old", "older"], StorePromiseRecheck.Due(promises, Now, Period).Order());
    }

    [Theory]
    [InlineData(UploadState.Created, true)]
    [InlineData(UploadState.Reserved, true)]
    [InlineData(UploadState.Receiving, true)]
    [InlineData(UploadState.Parked, true)] // its committed bytes stay in the store until it resumes or expires
    [InlineData(UploadState.Completed, false)]
    [InlineData(UploadState.Aborted, false)]
    [InlineData(UploadState.Expired, false)]
    [InlineData(UploadState.Failed, false)]
    public void A_session_holds_its_promise_until_it_ends(UploadState state, bool held) =>
        Assert.Equal(held, StorePromiseRecheck.StillHeld(Status(state, failure: null)));

    [Fact]
    public void A_session_that_never_was_holds_no_promise() =>
        Assert.False(StorePromiseRecheck.StillHeld(Status(UploadState.Created, new UploadRefusal(RefusalReason.NotFound, "No upload u."))));

    private static UploadStatus Status(UploadState state, UploadRefusal? failure) =>
        new("u", state, 0, 100, 20, 65_536, null, null, null, null, failure, null);
}
