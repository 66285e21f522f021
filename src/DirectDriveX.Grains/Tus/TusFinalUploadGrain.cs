using System.Security.Cryptography;
using System.Text;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;

namespace DirectDriveX.Grains.Tus;

/// <summary>A tus final upload created before its partial uploads were complete (<see cref="ITusFinalUploadGrain"/>): its
/// definition and the hash of its token, in the sessions' storage (so its record expires as theirs do).</summary>
[GrainType(GrainTypeNames.TusFinalUpload)]
public sealed class TusFinalUploadGrain(
    [PersistentState(TusFinalUploadGrain.StateName, UploadSessionGrain.StorageName)] IPersistentState<TusFinalUploadState> state)
    : Grain, ITusFinalUploadGrain
{
    /// <summary>The name of a final upload's grain state (a file store's records are kept, and expire, by state name).</summary>
    public const string StateName = "tusFinal";

    public async Task<bool> Create(TusFinalUpload upload, string token)
    {
        if (state.RecordExists) return false;
        state.State = new TusFinalUploadState { Upload = upload, TokenHash = Hash(token) };
        await state.WriteStateAsync();
        return true;
    }

    public Task<TusFinalOpening> Open(string? token)
    {
        var id = this.GetPrimaryKeyString();
        if (!state.RecordExists || state.State.Upload is null)
            return Task.FromResult(new TusFinalOpening(null, new UploadRefusal(RefusalReason.NotFound, $"No upload {id}.")));
        if (string.IsNullOrEmpty(token) || !CryptographicOperations.FixedTimeEquals(Hash(token), state.State.TokenHash))
            return Task.FromResult(new TusFinalOpening(null, new UploadRefusal(RefusalReason.Unauthorized, $"The resume token does not match upload {id}.")));
        return Task.FromResult(state.State.Terminated
            ? new TusFinalOpening(null, new UploadRefusal(RefusalReason.Aborted, $"Upload {id} was terminated; start a new upload."))
            : new TusFinalOpening(state.State.Upload, null));
    }

    public Task<TusFinalUpload?> Get() => Task.FromResult(state.State.Terminated ? null : state.State.Upload);

    public async Task Terminate()
    {
        if (!state.RecordExists || state.State.Terminated) return;
        state.State = state.State with { Terminated = true };
        await state.WriteStateAsync();
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
