using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>Drives an upload session the way a gateway does: start on a chosen silo, then chunks of the announced size.</summary>
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

    public static async Task SendAll(IUploadSessionGrain grain, byte[] data, int chunkSize, long from = 0)
    {
        for (var offset = from; offset < data.Length; offset += chunkSize)
        {
            var length = (int)Math.Min(chunkSize, data.Length - offset);
            var ack = await grain.WriteChunk(offset, data.AsMemory((int)offset, length));
            Assert.True(ack.Accepted, ack.Refusal?.Message);
            Assert.Equal(offset + length, ack.CommittedOffset);
        }
    }

    public static Task<MemoryBudgetSnapshot> Budget(IGrainFactory grains, SiloAddress silo) => grains.BudgetOf(silo).GetSnapshot();
}
