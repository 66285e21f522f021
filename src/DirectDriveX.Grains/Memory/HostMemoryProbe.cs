using DirectDriveX.Grains.Budget;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Memory;

/// <summary>
/// Live memory of the host this silo runs on: /proc/meminfo's MemAvailable, narrowed by the cgroup v2 limit inside a
/// container, and by <see cref="MemoryBudgetOptions.MemoryLimitBytes"/> when set (then what this process already uses counts
/// against that cap). Where /proc is absent (not Linux),
/// the runtime's view of the machine is used. Orleans' own environment statistics describe this process's heap,
/// not the host's free memory, so they are not the source here.
/// </summary>
public sealed class HostMemoryProbe(IOptions<MemoryBudgetOptions> options) : IMemoryProbe
{
    private const string MemInfoPath = "/proc/meminfo";
    private const string CgroupMaxPath = "/sys/fs/cgroup/memory.max";
    private const string CgroupCurrentPath = "/sys/fs/cgroup/memory.current";

    public MemoryReading Read()
    {
        var host = ReadHost();
        return HostMemoryFigures.Combine(
            host,
            HostMemoryFigures.ParseCgroupLimit(ReadIfPresent(CgroupMaxPath)),
            HostMemoryFigures.ParseCgroupUsage(ReadIfPresent(CgroupCurrentPath)),
            options.Value.MemoryLimitBytes,
            Environment.WorkingSet);
    }

    private static MemoryReading ReadHost()
    {
        if (ReadIfPresent(MemInfoPath) is { } text && HostMemoryFigures.ParseMemInfo(text) is { } reading)
            return reading;

        var gc = GC.GetGCMemoryInfo();
        var total = gc.TotalAvailableMemoryBytes;
        return new MemoryReading(total, Math.Max(0, total - gc.MemoryLoadBytes));
    }

    private static string? ReadIfPresent(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
