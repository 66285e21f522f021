using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>Drives an upload the way a node's protocol adapters do: start on a chosen silo, then the bytes through the data
/// plane of the silo the session is active on (written to its staging file, committed to the grain as offsets).</summary>
public static class UploadDriver
{
    public static async Task<(IUploadSessionGrain Grain, UploadSessionInfo Info)> StartOn(
        IGrainFactory grains, SiloAddress silo, UploadRequest request)
    {
        var grain = grains.GetGrain<IUploadSessionGrain>(UploadIds.NewId());
        UploadStartResult result;
        using (UploadPlacementHint.Target(silo))
            result = await grain.Start(request);
        Assert.True(result.Accepted, result.Refusal?.Message);
        return (grain, result.Session!);
    }

    /// <summary>The data plane of the silo <paramref name="info"/>'s session is active on now.</summary>
    public static async Task<UploadDataPlane> PlaneOf(InProcessTestCluster cluster, UploadSessionInfo info)
    {
        var status = await cluster.Client.GetGrain<IUploadSessionGrain>(info.UploadId).GetState();
        return cluster.GetSiloServiceProvider(MemoryBudgetKey.ToSilo(status.ActiveNodeId!)).GetRequiredService<UploadDataPlane>();
    }

    public static async Task<UploadSessionHandle> Open(InProcessTestCluster cluster, UploadSessionInfo info)
    {
        var (handle, refusal) = await (await PlaneOf(cluster, info)).OpenAsync(info.UploadId, info.ResumeToken, requireToken: true);
        Assert.True(refusal is null, refusal?.Message);
        return handle!;
    }

    /// <summary>Sends <paramref name="data"/> from <paramref name="from"/> (the committed offset) to its end and asserts it was all committed.</summary>
    public static async Task SendAll(InProcessTestCluster cluster, UploadSessionInfo info, byte[] data, long from = 0)
    {
        var handle = await Open(cluster, info);
        await using var writer = await handle.OpenWriterAsync(onCommitted: null);
        Assert.Equal(from, writer.CommittedOffset);
        await writer.WriteAsync(data.AsMemory((int)from), CancellationToken.None);
        Assert.Equal(data.Length, await writer.CompleteAsync());
    }

    /// <summary>Completes the upload through its data plane (which hashes the staged bytes): the record, or the refusal.</summary>
    public static async Task<CompletionResult> Complete(InProcessTestCluster cluster, UploadSessionInfo info)
    {
        var handle = await Open(cluster, info);
        try
        {
            var stored = await handle.CompleteAsync(CancellationToken.None);
            return new CompletionResult(stored.File, null, stored.DeleteToken);
        }
        catch (UploadRefusedException e)
        {
            return new CompletionResult(null, e.Refusal);
        }
    }

    /// <summary>Moves the session to <paramref name="target"/> the way a graceful stop of a silo does: its activation ends and
    /// the next one is on the target (Orleans' migration, the documented way to move a grain to a chosen silo; on the silo it
    /// is on already, a deactivation, and the new activation is told by its newer fencing epoch). Writers opened before stay
    /// open: they are the earlier activation's, and must be fenced off.</summary>
    public static async Task MoveTo(InProcessTestCluster cluster, UploadSessionInfo info, SiloAddress target)
    {
        var grain = cluster.Client.GetGrain<IUploadSessionGrain>(info.UploadId);
        var targetNode = MemoryBudgetKey.For(target);
        var management = grain.AsReference<Orleans.Core.Internal.IGrainManagementExtension>();
        if ((await grain.GetState()).ActiveNodeId == targetNode)
        {
            var before = (await grain.BeginWriting(targetNode)).Epoch;
            await Eventually.Holds(async () =>
            {
                using var hint = UploadPlacementHint.Target(target);
                await management.DeactivateOnIdle();
                return await grain.BeginWriting(targetNode);
            }, grant => grant.Epoch > before, TimeSpan.FromSeconds(30), $"upload {info.UploadId} is activated again on {target}");
            return;
        }
        await Eventually.Holds(async () =>
        {
            using var hint = UploadPlacementHint.Target(target); // where the migration places the next activation
            await management.MigrateOnIdle();
            return await grain.GetState();
        }, status => status.ActiveNodeId == targetNode, TimeSpan.FromSeconds(30), $"upload {info.UploadId} is active on {target}");
    }

    public static Task<MemoryBudgetSnapshot> Budget(IGrainFactory grains, SiloAddress silo) => grains.BudgetOf(silo).GetSnapshot();
}
