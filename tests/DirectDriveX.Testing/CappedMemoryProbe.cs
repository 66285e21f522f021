using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Memory;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Testing;

/// <summary>
/// A node whose memory is exactly its configured cap, all of it available: several silos share one test process, so the
/// live probe's "cap minus what this process uses" would make every silo's figures depend on the test run. With this probe
/// headroom figures are exact (cap − reserve, or the ceiling), as the tests assert them.
/// </summary>
public sealed class CappedMemoryProbe(IOptions<MemoryBudgetOptions> options) : IMemoryProbe
{
    public MemoryReading Read()
    {
        var cap = options.Value.MemoryLimitBytes ?? throw new InvalidOperationException("CappedMemoryProbe needs MemoryBudget:MemoryLimitBytes.");
        return new MemoryReading(cap, cap);
    }
}
