namespace DirectDriveX.Storage;

/// <summary>One staged remnant of an upload, as <see cref="IUploadStore.ListStagingAsync"/> finds it: a staging or scratch file,
/// a staged object, an unfinished multipart upload (<see cref="StoreUploadId"/>).</summary>
public readonly record struct StagedFile(string UploadId, int Epoch, DateTimeOffset LastWrite, string? StoreUploadId = null);
