using DirectDriveX.Storage;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Files;

/// <summary>A stored file's record. The file store keeps the record beside the bytes and is the truth; this grain's state is
/// a cache of it, filled from the store when it is empty (after Redis lost its data, or grain state was never kept), and
/// cleared when the file is deleted or expires (<see cref="FileLifecycle"/>), which every download, HEAD and meta call asks
/// through <see cref="GetRecord"/>. An upload's completion does not activate it (issue 19): its first reader reads the record
/// the store wrote durably before publishing, so an upload costs no activation, state read and directory entry of this grain
/// (in a cluster, a call to the silo that owns its directory entry), which only a later read of the file needs.</summary>
[GrainType(GrainTypeNames.StoredFile)]
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class StoredFileGrain(
    [PersistentState("file")] IPersistentState<StoredFileState> state,
    IUploadStore store,
    TimeProvider clock,
    IOptions<StoredFileOptions> options,
    ILogger<StoredFileGrain> logger) : Grain, IStoredFileGrain
{
    private string FileId => this.GetPrimaryKeyString();

    public async Task<StoredFileRecord?> GetRecord()
    {
        var record = state.State.Record;
        if (record is null)
        {
            if (!UploadIds.IsWellFormed(FileId) || await store.ReadRecordAsync(FileId) is not { } stored) return null;
            record = stored;
            state.State = new StoredFileState { Record = stored };
            await state.WriteStateAsync();
        }
        if (!FileLifecycle.IsExpired(record.CreatedAt, options.Value.Retention, clock.GetUtcNow())) return record;
        await DeleteAsync("expired");
        return null;
    }

    public Task<bool> Delete() => DeleteAsync("deleted");

    private async Task<bool> DeleteAsync(string why)
    {
        if (!UploadIds.IsWellFormed(FileId)) return false;
        var existed = await store.DeleteStoredAsync(FileId);
        var cached = state.State.Record is not null;
        if (state.RecordExists) await state.ClearStateAsync();
        else state.State = new StoredFileState();
        if (existed || cached) LogRemoved(FileId, why);
        return existed || cached;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored file {FileId} {Why}: its bytes and record are removed")]
    private partial void LogRemoved(string fileId, string why);
}
