using DirectDriveX.Grains.Budget;

namespace DirectDriveX.Grains.Tests.Policy;

public class LeaseBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Grant_renew_release_keep_the_sum_right_and_release_is_idempotent()
    {
        var book = new LeaseBook();
        book.Grant("a", 100, T0.AddMinutes(2));
        book.Grant("b", 50, T0.AddMinutes(2));
        Assert.Equal(150, book.LeasedBytes);
        Assert.True(book.Renew("a", T0.AddMinutes(5)));
        Assert.True(book.Release("a"));
        Assert.False(book.Release("a"));
        Assert.False(book.Renew("a", T0.AddMinutes(9)));
        Assert.Equal(50, book.LeasedBytes);
        Assert.Equal(1, book.Count);
    }

    [Fact]
    public void Resizing_a_lease_keeps_its_expiry_and_the_sum_right()
    {
        var book = new LeaseBook();
        book.Grant("a", 100, T0.AddMinutes(2));
        book.Grant("b", 50, T0.AddMinutes(2));
        Assert.True(book.Resize("a", 30));
        Assert.Equal(80, book.LeasedBytes);
        Assert.True(book.TryGet("a", out var lease));
        Assert.Equal(new LeaseBook.Lease(30, T0.AddMinutes(2)), lease);
        Assert.False(book.Resize("gone", 10));
    }

    [Fact]
    public void Granting_again_replaces_rather_than_doubles_a_lease()
    {
        var book = new LeaseBook();
        book.Grant("a", 100, T0);
        book.Grant("a", 70, T0);
        Assert.Equal(70, book.LeasedBytes);
    }

    [Fact]
    public void Expire_drops_exactly_the_leases_past_their_time()
    {
        var book = new LeaseBook();
        book.Grant("old", 10, T0.AddSeconds(1));
        book.Grant("due", 20, T0.AddSeconds(2));
        book.Grant("live", 40, T0.AddSeconds(3));
        Assert.Equal(["due", "old"], book.Expire(T0.AddSeconds(2)).Order());
        Assert.Equal(40, book.LeasedBytes);
    }
}
