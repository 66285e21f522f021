using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Files;

/// <summary>A stored file's record (grain state). Its bytes are in the shared file store; downloads read them there.</summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed class StoredFileGrain([PersistentState("file")] IPersistentState<StoredFileState> state) : Grain, IStoredFileGrain
{
    public async Task Register(StoredFileRecord record)
    {
        if (record.FileId != this.GetPrimaryKeyString())
            throw new ArgumentException($"Record for {record.FileId} registered on file grain {this.GetPrimaryKeyString()}.", nameof(record));
        if (state.State.Record == record) return;
        state.State = new StoredFileState { Record = record };
        await state.WriteStateAsync();
    }

    public Task<StoredFileRecord?> GetRecord() => Task.FromResult(state.State.Record);
}
