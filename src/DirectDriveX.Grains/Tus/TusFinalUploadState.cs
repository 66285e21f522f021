using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tus;

[GenerateSerializer]
public sealed record TusFinalUploadState
{
    [Id(0)] public TusFinalUpload? Upload { get; init; }
    [Id(1)] public byte[] TokenHash { get; init; } = [];
    [Id(2)] public bool Terminated { get; init; }
}
