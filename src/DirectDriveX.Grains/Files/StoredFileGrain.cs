using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.Files;

/// <summary>A stored file's record (grain state) and its bytes (the shared file store), so any silo can serve it.</summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed class StoredFileGrain(
    [PersistentState("file")] IPersistentState<StoredFileState> state,
    IFileStore store) : Grain, IStoredFileGrain
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

    public async Task<ReadOnlyMemory<byte>> Read(long offset, int count)
    {
        var record = state.State.Record ?? throw new FileNotFoundException($"No stored file {this.GetPrimaryKeyString()}.");
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, IStoredFileGrain.MaxReadBytes);
        var length = (int)Math.Clamp(record.Size - offset, 0, count);
        if (length == 0) return ReadOnlyMemory<byte>.Empty;
        var buffer = GC.AllocateUninitializedArray<byte>(length);
        var read = await store.ReadStoredAsync(record.FileId, offset, buffer, CancellationToken.None);
        return buffer.AsMemory(0, read);
    }
}
