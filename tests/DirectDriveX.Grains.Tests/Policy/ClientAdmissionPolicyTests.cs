using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Clients;

namespace DirectDriveX.Grains.Tests.Policy;

public class ClientAdmissionPolicyTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Midnight = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 0, 100)]
    [InlineData(4, 0, 100)]
    [InlineData(0, 900, 100)]   // exactly the day's limit
    public void Within_every_limit_is_admitted(int live, long today, long size) =>
        Assert.Null(ClientAdmissionPolicy.Check("addr:a", live, today, size, new ClientLimits(5, 1000, 1000), Noon));

    [Fact]
    public void At_the_concurrent_limit_it_is_TooManyUploads_with_the_count()
    {
        var refusal = ClientAdmissionPolicy.Check("addr:a", 5, 0, 100, new ClientLimits(5), Noon);
        Assert.Equal(new UploadRefusal(RefusalReason.TooManyUploads,
            "Client addr:a already has 5 live uploads, the most it may hold at once (5); retry when one ends.",
            Quota: new ClientQuotaFigures("addr:a", "concurrentUploads", 5, 5)), refusal);
    }

    [Fact]
    public void A_parked_upload_resumes_within_the_concurrent_limit_whatever_the_day_and_size_limits()
    {
        Assert.Null(ClientAdmissionPolicy.CheckResume("addr:a", 4, new ClientLimits(5, MaxFileBytes: 1, BytesPerDay: 1)));
        Assert.Equal(new UploadRefusal(RefusalReason.TooManyUploads,
            "Client addr:a already has 5 live uploads, the most it may hold at once (5); this parked upload resumes when one ends.",
            Quota: new ClientQuotaFigures("addr:a", "concurrentUploads", 5, 5)), ClientAdmissionPolicy.CheckResume("addr:a", 5, new ClientLimits(5)));
    }

    [Fact]
    public void A_declared_length_is_checked_against_the_file_and_day_limits_but_not_the_count()
    {
        Assert.Null(ClientAdmissionPolicy.CheckDeclared("addr:a", 900, 100, new ClientLimits(1, MaxFileBytes: 100, BytesPerDay: 1000), Noon));
        Assert.Equal(RefusalReason.QuotaExceeded, ClientAdmissionPolicy.CheckDeclared("addr:a", 901, 100, new ClientLimits(1, BytesPerDay: 1000), Noon)!.Reason);
        Assert.Equal(RefusalReason.FileTooLarge, ClientAdmissionPolicy.CheckDeclared("addr:a", 0, 101, new ClientLimits(1, MaxFileBytes: 100), Noon)!.Reason);
    }

    [Fact]
    public void Past_the_day_it_is_QuotaExceeded_with_used_limit_and_the_next_UTC_midnight()
    {
        var refusal = ClientAdmissionPolicy.Check("key:k", 0, 901, 100, new ClientLimits(5, BytesPerDay: 1000), Noon);
        Assert.Equal(new UploadRefusal(RefusalReason.QuotaExceeded,
            "Client key:k has used 901 of its 1000 bytes for today; this upload declares 100. The quota resets at 2026-11-24 00:00:00Z.",
            Quota: new ClientQuotaFigures("key:k", "bytesPerDay", 901, 1000, Midnight, 100)), refusal);
    }

    [Fact]
    public void A_file_over_the_clients_largest_is_FileTooLarge_whatever_else_holds()
    {
        var refusal = ClientAdmissionPolicy.Check("addr:a", 9, 5000, 1001, new ClientLimits(5, 1000, 1000), Noon);
        Assert.Equal(RefusalReason.FileTooLarge, refusal!.Reason);
        Assert.Equal("Client addr:a may upload files of at most 1000 bytes; this one declares 1001. An API key may allow more.", refusal.Message);
    }

    [Fact]
    public void The_concurrent_limit_is_told_before_the_day()
    {
        Assert.Equal(RefusalReason.TooManyUploads, ClientAdmissionPolicy.Check("a", 5, 1000, 1, new ClientLimits(5, null, 1000), Noon)!.Reason);
    }

    [Fact]
    public void No_daily_limit_never_overflows()
    {
        Assert.Null(ClientAdmissionPolicy.Check("a", 0, long.MaxValue - 1, long.MaxValue - 1, new ClientLimits(5), Noon));
        Assert.NotNull(ClientAdmissionPolicy.Check("a", 0, long.MaxValue - 1, long.MaxValue - 1, new ClientLimits(5, null, long.MaxValue), Noon));
    }

    [Fact]
    public void The_day_is_the_UTC_date()
    {
        var lateInTokyo = new DateTimeOffset(2026, 11, 24, 8, 30, 0, TimeSpan.FromHours(9)); // 23:30 UTC on the 23rd
        Assert.Equal(new DateOnly(2026, 11, 23), ClientAdmissionPolicy.DayOf(lateInTokyo));
        Assert.Equal(Midnight, ClientAdmissionPolicy.ResetOf(new DateOnly(2026, 11, 23)));
    }
}
