namespace DirectDriveX.Grains.Interfaces;

/// <summary>The figures behind a <see cref="RefusalReason.TooManyUploads"/> or <see cref="RefusalReason.QuotaExceeded"/>
/// refusal: which limit (<c>concurrentUploads</c> or <c>bytesPerDay</c>), what the client uses of it, the limit, and when
/// it resets (the next UTC midnight for a daily quota; null for concurrent uploads, which free as uploads end).</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaFigures(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string Quota,
    [property: Id(2)] long Used,
    [property: Id(3)] long Limit,
    [property: Id(4)] DateTimeOffset? ResetsAt = null,
    [property: Id(5)] long? RequestedBytes = null);
