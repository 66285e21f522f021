namespace DirectDriveX.Storage;

/// <summary>One stored file as <see cref="IUploadStore.ListStoredAsync"/> finds it: its id, and when its record was written (the
/// file's creation, give or take the publishing).</summary>
public readonly record struct StoredFileEntry(string FileId, DateTimeOffset LastWrite);
