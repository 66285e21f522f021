using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Files;

[GenerateSerializer]
public sealed record StoredFileState
{
    [Id(0)] public StoredFileRecord? Record { get; init; }
}
