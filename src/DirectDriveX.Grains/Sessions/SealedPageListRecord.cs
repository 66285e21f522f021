namespace DirectDriveX.Grains.Sessions;

/// <summary>The grain state of a <see cref="SealedPage"/> of a level above 0: the entries of the pages it folded, in order.</summary>
[GenerateSerializer]
public sealed record SealedPageListRecord
{
    [Id(0)] public SealedPage[] Pages { get; init; } = [];
}
