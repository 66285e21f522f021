using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;

namespace DirectDriveX.Grains.Tus;

/// <summary>The final uploads that wait for one tus partial upload (<see cref="ITusPartialUploadGrain"/>), in the sessions'
/// storage (its record expires as theirs do).</summary>
[GrainType(GrainTypeNames.TusPartialUpload)]
public sealed class TusPartialUploadGrain(
    [PersistentState(TusPartialUploadGrain.StateName, UploadSessionGrain.StorageName)] IPersistentState<TusPartialUploadState> state)
    : Grain, ITusPartialUploadGrain
{
    /// <summary>The name of a partial upload's grain state (a file store's records are kept, and expire, by state name).</summary>
    public const string StateName = "tusPartial";

    public async Task AddFinal(string finalId)
    {
        if (state.State.Finals.Contains(finalId, StringComparer.Ordinal)) return;
        state.State = new TusPartialUploadState { Finals = [.. state.State.Finals, finalId] };
        await state.WriteStateAsync();
    }

    public Task<string[]> Finals() => Task.FromResult(state.State.Finals);
}
