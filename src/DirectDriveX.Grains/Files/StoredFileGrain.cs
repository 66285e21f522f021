using DirectDriveX.Storage;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.Files;

/// <summary>A stored file's record. The file store keeps the record beside the bytes and is the truth; this grain's state is
/// a cache of it, filled from the store when it is empty (after Redis lost its data, or grain state was never kept).</summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed class StoredFileGrain(
    [PersistentState("file")] IPersistentState<StoredFileState> state,
    IUploadStore store) : Grain, IStoredFileGrain
{
    public async Task Register(StoredFileRecord record)
    {
        if (record.FileId != this.GetPrimaryKeyString())
            throw new ArgumentException($"Record for {record.FileId} registered on file grain {this.GetPrimaryKeyString()}.", nameof(record));
        if (state.State.Record == record) return;
        state.State = new StoredFileState { Record = record };
        await state.WriteStateAsync();
    }

    public async Task<StoredFileRecord?> GetRecord()
    {
        if (state.State.Record is { } cached) return cached;
        if (!UploadIds.IsWellFormed(this.GetPrimaryKeyString())) return null;
        if (await store.ReadRecordAsync(this.GetPrimaryKeyString()) is not { } stored) return null;
        state.State = new StoredFileState { Record = stored };
        await state.WriteStateAsync();
        return stored;
    }
}
