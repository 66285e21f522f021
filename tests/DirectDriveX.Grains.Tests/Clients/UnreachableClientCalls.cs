using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Clients;

/// <summary>A silo's incoming calls to clients' <see cref="IUploadClientGrain.Counts"/>, the next <see cref="FailNext"/> of which
/// fail as a call fails while the grain's old silo is dead but not yet declared so (Orleans rejects it: the target silo is
/// unavailable); every other call goes through.</summary>
public sealed class UnreachableClientCalls : IIncomingGrainCallFilter
{
    private int _failing;
    private int _failed;

    /// <summary>How many calls failed so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public void FailNext(int calls) => Volatile.Write(ref _failing, calls);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name != nameof(IUploadClientGrain.Counts) || Interlocked.Decrement(ref _failing) < 0)
            return context.Invoke();
        Interlocked.Increment(ref _failed);
        throw new SiloUnavailableException("The client's grain is on a silo that is unavailable (the test's filter).");
    }
}
