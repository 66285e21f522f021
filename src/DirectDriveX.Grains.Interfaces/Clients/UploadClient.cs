namespace DirectDriveX.Grains.Interfaces;

/// <summary>Who starts an upload, as the process that took the request identified them: <c>key:{name}</c> for a client that
/// presented a valid API key, else <c>addr:{ip}</c> for its remote address; and the limits that apply to it.</summary>
[GenerateSerializer, Immutable]
public sealed record UploadClient(
    [property: Id(0)] string ClientId,
    [property: Id(1)] ClientLimits Limits);
