namespace DirectDriveX.Grains.Storage;

/// <summary>Store space promised to one upload (<see cref="StoreSpaceGrain"/>): its bytes, and when it was promised or last
/// found held by a live session (<see cref="StorePromiseRecheck"/>).</summary>
public readonly record struct StorePromise(long Bytes, DateTimeOffset CheckedAt);
