namespace DirectDriveX.Grains.Tus;

[GenerateSerializer]
public sealed record TusPartialUploadState
{
    [Id(0)] public string[] Finals { get; init; } = [];
}
