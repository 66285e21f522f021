using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>A silo's incoming <see cref="IUploadSessionGrain.GetParts"/> calls, counted; every call goes through.</summary>
public sealed class PartsCalls : IIncomingGrainCallFilter
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(IUploadSessionGrain.GetParts)) Interlocked.Increment(ref _count);
        return context.Invoke();
    }
}
