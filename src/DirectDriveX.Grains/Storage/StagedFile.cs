namespace DirectDriveX.Grains.Storage;

/// <summary>One staging file of an upload, as <see cref="IFileStore.ListStaging"/> finds it.</summary>
public readonly record struct StagedFile(string UploadId, int Epoch, DateTimeOffset LastWrite);
