namespace DirectDriveX.Grains.Clients;

/// <summary>The durable count of one client (grain state): its live sessions and the bytes admitted on <see cref="Day"/>.</summary>
[GenerateSerializer]
public sealed record UploadClientState
{
    /// <summary>Live sessions by upload id.</summary>
    [Id(0)] public Dictionary<string, CountedUpload> Live { get; init; } = new(StringComparer.Ordinal);
    /// <summary>The UTC day <see cref="BytesToday"/> counts.</summary>
    [Id(1)] public DateOnly Day { get; init; }
    /// <summary>Declared bytes admitted on <see cref="Day"/>, less what uploads that ended early never received.</summary>
    [Id(2)] public long BytesToday { get; init; }
    /// <summary>Whether the client's last admission had a per-day limit: only then must <see cref="BytesToday"/> outlive its
    /// last live session.</summary>
    [Id(3)] public bool DayLimited { get; init; }
    /// <summary>Parked sessions by upload id: they hold no live slot, and their bytes stay counted for their day until they
    /// end (a parked session that resumes is live again).</summary>
    [Id(4)] public Dictionary<string, CountedUpload> Parked { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One live session of a client: its declared size, and when and on which day it was admitted.</summary>
[GenerateSerializer, Immutable]
public sealed record CountedUpload(
    [property: Id(0)] long Size,
    [property: Id(1)] DateTimeOffset AdmittedAt,
    [property: Id(2)] DateOnly Day);
