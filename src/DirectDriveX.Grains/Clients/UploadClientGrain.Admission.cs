using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Clients;

/// <summary>
/// Admission (<see cref="ClientAdmissionPolicy"/> over the count, checked and changed in one turn), answered after its write
/// (<see cref="IUploadClientGrain.TryAdmit"/>) or before it (<see cref="IUploadClientGrain.TryAdmitWritingBehind"/>, confirmed
/// by <see cref="IUploadClientGrain.Counts"/>): a one-request upload's start then does not wait for the client's fsyncs,
/// which run while its bytes arrive (issue 19, fifth round). Either way the count is this one activation's, cluster-wide,
/// from the moment the call is answered; only its durability comes later.
/// </summary>
public sealed partial class UploadClientGrain
{
    private async Task<UploadRefusal?> AdmitAsync(string uploadId, long size, ClientLimits limits, bool writeBehind)
    {
        if (await HoldsSlotAsync(uploadId)) return null;
        var now = clock.GetUtcNow();
        RollDay(now);
        if (S.Live.Count >= limits.MaxConcurrentUploads) await ForgetEndedAsync(now);
        // Interleaved calls may have changed the count while this one waited for its older sessions: decided from here on
        // within this turn.
        if (await HoldsSlotAsync(uploadId)) return null;
        if (ClientAdmissionPolicy.Check(ClientId, S.Live.Count, S.BytesToday, size, limits, now) is { } refusal)
        {
            LogRefused(ClientId, uploadId, refusal.Reason, S.Live.Count, S.BytesToday);
            return refusal;
        }
        S.Live[uploadId] = new CountedUpload(size, now, S.Day);
        _record.Count = S with { BytesToday = S.BytesToday + size, DayLimited = limits.BytesPerDay is not null };
        if (writeBehind) _record.SaveBehind();
        else await SaveAsync();
        return null;
    }

    public Task<UploadRefusal?> TryAdmitWritingBehind(string uploadId, long size, ClientLimits limits) =>
        AdmitAsync(uploadId, size, limits, writeBehind: true);

    public async Task<bool> Counts(string uploadId)
    {
        await _record.DurableAsync();
        return S.Live.ContainsKey(uploadId) || S.Parked.ContainsKey(uploadId);
    }
}
