using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Clients;

/// <summary>
/// Whether one client may start one more upload: pure arithmetic over what the client holds now (live sessions, bytes
/// admitted today) and its <see cref="ClientLimits"/>. The order is the order a client can act on: a file too large for the
/// client is refused whatever else holds; then the concurrent sessions (free when an upload ends); then the day's bytes
/// (free at the next UTC midnight).
/// </summary>
public static class ClientAdmissionPolicy
{
    public const string ConcurrentUploadsQuota = "concurrentUploads";
    public const string BytesPerDayQuota = "bytesPerDay";

    /// <summary>The quota day of <paramref name="now"/>: the UTC date.</summary>
    public static DateOnly DayOf(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime);

    /// <summary>When the quota of <paramref name="day"/> resets: the next UTC midnight.</summary>
    public static DateTimeOffset ResetOf(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The refusal for a parked upload of a client that holds <paramref name="liveUploads"/> sessions to become live
    /// again, or null: only the concurrent limit applies (its bytes were counted when it was admitted).</summary>
    public static UploadRefusal? CheckResume(string clientId, int liveUploads, ClientLimits limits) =>
        liveUploads >= limits.MaxConcurrentUploads
            ? new UploadRefusal(RefusalReason.TooManyUploads,
                $"Client {clientId} already has {liveUploads} live uploads, the most it may hold at once ({limits.MaxConcurrentUploads}); this parked upload resumes when one ends.",
                Quota: new ClientQuotaFigures(clientId, ConcurrentUploadsQuota, liveUploads, limits.MaxConcurrentUploads))
            : null;

    /// <summary>The refusal for an upload admitted without its length (counted as 0 bytes) that declares
    /// <paramref name="size"/> bytes, by a client admitted <paramref name="bytesToday"/> bytes on the day of <paramref name="now"/>,
    /// or null: the file-size and day limits apply now (its slot was taken when it was admitted).</summary>
    public static UploadRefusal? CheckDeclared(string clientId, long bytesToday, long size, ClientLimits limits, DateTimeOffset now) =>
        Check(clientId, 0, bytesToday, size, limits with { MaxConcurrentUploads = int.MaxValue }, now);

    /// <summary>The refusal for a new upload of <paramref name="size"/> bytes by a client that holds
    /// <paramref name="liveUploads"/> sessions and was admitted <paramref name="bytesToday"/> bytes on the day of
    /// <paramref name="now"/>, or null when it is admitted.</summary>
    public static UploadRefusal? Check(string clientId, int liveUploads, long bytesToday, long size, ClientLimits limits, DateTimeOffset now)
    {
        if (limits.MaxFileBytes is { } maxFile && size > maxFile)
            return new UploadRefusal(RefusalReason.FileTooLarge,
                $"Client {clientId} may upload files of at most {maxFile} bytes; this one declares {size}. An API key may allow more.");
        if (liveUploads >= limits.MaxConcurrentUploads)
            return new UploadRefusal(RefusalReason.TooManyUploads,
                $"Client {clientId} already has {liveUploads} live uploads, the most it may hold at once ({limits.MaxConcurrentUploads}); retry when one ends.",
                Quota: new ClientQuotaFigures(clientId, ConcurrentUploadsQuota, liveUploads, limits.MaxConcurrentUploads));
        if (limits.BytesPerDay is { } perDay && size > perDay - bytesToday)
        {
            var resetsAt = ResetOf(DayOf(now));
            return new UploadRefusal(RefusalReason.QuotaExceeded,
                $"Client {clientId} has used {bytesToday} of its {perDay} bytes for today; this upload declares {size}. The quota resets at {resetsAt:u}.",
                Quota: new ClientQuotaFigures(clientId, BytesPerDayQuota, bytesToday, perDay, resetsAt, size));
        }
        return null;
    }
}
