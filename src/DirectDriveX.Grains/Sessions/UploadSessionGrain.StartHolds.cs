using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// What a start holds before it answers: the client's count (<see cref="IUploadClientGrain.TryAdmit"/>) first, so that a
/// client over its limits costs the cluster no promise and no lease (a flood of one client's creates leaves the nodes to
/// the others); then the store space (<see cref="IStoreSpaceGrain.TryPromise"/>) and this node's lease
/// (<see cref="NodeBudget.TryReserveAsync"/>, in process) at once (issue 19, fifth round). The start answers only once all have
/// answered; a refusal is the one the order store space, lease gives first, and whatever was granted beside a refusal or a
/// failure is given back before the start answers.
/// </summary>
public sealed partial class UploadSessionGrain
{
    private async Task<(LeaseGrant Grant, UploadRefusal? Refused)> TakeStartHoldsAsync(UploadRequest request, long reservedBytes, bool admitWritingBehind)
    {
        var client = request.Client;
        if (client is not null && await (admitWritingBehind
                ? ClientGrain(client.ClientId).TryAdmitWritingBehind(UploadId, request.Size, client.Limits)
                : ClientGrain(client.ClientId).TryAdmit(UploadId, request.Size, client.Limits)) is { } overLimit)
            return (LeaseGrant.Refused(overLimit), overLimit);
        // An empty file takes no store space and no memory (ChunkPlan: nothing reserved); an upload without its length is
        // promised its space when it declares it.
        var promising = request.Size > 0 ? StoreSpace.TryPromise(UploadId, request.Size) : NoRefusal;
        var reserving = reservedBytes == 0
            ? Task.FromResult(new LeaseGrant(true, 0, default, null))
            : budget.TryReserveAsync(UploadId, reservedBytes);
        try
        {
            await Task.WhenAll(promising, reserving);
        }
        catch
        {
            await GiveBackStartHoldsAsync(client?.ClientId, promising, reserving);
            throw;
        }
        var refused = promising.Result ?? reserving.Result.Refusal;
        if (refused is null) return (reserving.Result, null);
        await GiveBackStartHoldsAsync(client?.ClientId, promising, reserving);
        return (reserving.Result, refused);
    }

    /// <summary>A one-request upload's admission, answered before the client's write landed (<see cref="IUploadClientGrain.TryAdmitWritingBehind"/>),
    /// confirmed while its bytes arrive; awaited before the session tells anyone of the upload (its start recorded, its end).</summary>
    private Task _admissionConfirmed = Task.CompletedTask;

    /// <summary>How long a one-request upload keeps trying to confirm its client's count while that client's grain cannot be
    /// reached: its silo died, and the grain is activated again elsewhere only once the cluster has declared that silo dead
    /// (Orleans' membership: ten to thirty seconds with its defaults). Beyond it the upload goes on uncounted (logged).</summary>
    internal static readonly TimeSpan AdmissionConfirmDeadline = TimeSpan.FromSeconds(45);

    /// <summary>Waits until the client's count of this upload is durable. Should the client's grain have lost it (its silo
    /// went before the write landed), it is counted again, durably. A call that fails (the grain's silo going, its record's
    /// storage down) is tried again, at most every two seconds, until the grain answers from a silo that lives or
    /// <see cref="AdmissionConfirmDeadline"/> has passed; then the client may be counted one upload short until this one
    /// ends (logged).</summary>
    private async Task ConfirmAdmissionAsync(UploadClient client, long size)
    {
        var deadline = clock.GetUtcNow() + AdmissionConfirmDeadline;
        var wait = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                if (await ClientGrain(client.ClientId).Counts(UploadId)) return;
                var refused = await ClientGrain(client.ClientId).TryAdmit(UploadId, size, client.Limits);
                LogAdmissionCountedAgain(UploadId, client.ClientId, refused?.Reason.ToString() ?? "counted");
                return;
            }
            catch (Exception e)
            {
                // The grain's silo going (Orleans' exceptions, a timeout) or its storage failing to write (Counts throws what
                // the write threw): either may pass, and the session's way out waits for this, so it must not throw.
                if (clock.GetUtcNow() + wait > deadline)
                {
                    LogAdmissionUnconfirmed(UploadId, client.ClientId, e.Message);
                    return;
                }
            }
            await Task.Delay(wait, clock);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private static Task<UploadRefusal?> NoRefusal => Task.FromResult<UploadRefusal?>(null);

    /// <summary>Gives back the client's count and each hold that was granted, or whose answer was lost (a release is
    /// idempotent: one of nothing held does nothing); a refused one holds nothing.</summary>
    private async Task GiveBackStartHoldsAsync(string? clientId, Task<UploadRefusal?> promising, Task<LeaseGrant> reserving)
    {
        var releases = new List<Task>(3) { ReleaseClientAsync(clientId, 0) };
        if (!reserving.IsCompletedSuccessfully || reserving.Result is { Granted: true, Bytes: > 0 })
            releases.Add(ReleaseLeaseAsync(ThisNodeId));
        if (!promising.IsCompletedSuccessfully || promising.Result is null) releases.Add(StoreSpace.Release(UploadId));
        await Task.WhenAll(releases);
    }
}
