using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Storage;

/// <summary>Which store-space promises are checked with their sessions before a promise is refused, and what a session's
/// answer means, pure. A promise is given back on every way out of its session; one whose release was lost (the grain that
/// holds the promises was out of reach at that moment) would otherwise count against the store until that grain's silo
/// restarts, and refuse uploads the store has room for.</summary>
public static class StorePromiseRecheck
{
    /// <summary>The uploads whose promises were given, or last found held, at least <paramref name="period"/> before
    /// <paramref name="now"/>: younger ones belong to sessions that are starting or were just asked.</summary>
    public static IReadOnlyList<string> Due(IReadOnlyDictionary<string, StorePromise> promises, DateTimeOffset now, TimeSpan period) =>
        [.. promises.Where(p => now - p.Value.CheckedAt >= period).Select(p => p.Key)];

    /// <summary>Whether a session that answered <paramref name="status"/> still holds its promise: it exists and has not ended
    /// (a parked session keeps its committed bytes in the store, so it keeps its promise too).</summary>
    public static bool StillHeld(UploadStatus status) =>
        status.Failure?.Reason != RefusalReason.NotFound && !status.State.IsFinal();
}
