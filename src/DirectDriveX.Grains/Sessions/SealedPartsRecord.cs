using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>The grain state of one <see cref="SealedPage"/>: its parts, in order.</summary>
[GenerateSerializer]
public sealed record SealedPartsRecord
{
    [Id(0)] public StagedPart[] Parts { get; init; } = [];
}
