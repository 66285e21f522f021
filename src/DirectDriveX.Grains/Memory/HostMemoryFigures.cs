using System.Globalization;

namespace DirectDriveX.Grains.Memory;

/// <summary>
/// Pure parsing and combination of the kernel's memory figures: /proc/meminfo and cgroup v2's memory.max / memory.current.
/// </summary>
public static class HostMemoryFigures
{
    /// <summary>MemTotal and MemAvailable from /proc/meminfo text, in bytes; null when either is missing.</summary>
    public static MemoryReading? ParseMemInfo(string memInfo)
    {
        long? total = null, available = null;
        foreach (var line in memInfo.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("MemTotal:")) total = ParseKibLine(line);
            else if (line.StartsWith("MemAvailable:")) available = ParseKibLine(line);
        }
        return total is { } t && available is { } a ? new MemoryReading(t, a) : null;
    }

    /// <summary>cgroup v2 memory.max: a byte count, or null for "max" (no limit) and anything unreadable.</summary>
    public static long? ParseCgroupLimit(string? memoryMax)
    {
        var text = memoryMax?.Trim();
        return string.IsNullOrEmpty(text) || text == "max" ? null : ParseBytes(text);
    }

    /// <summary>cgroup v2 memory.current, in bytes.</summary>
    public static long? ParseCgroupUsage(string? memoryCurrent) =>
        string.IsNullOrWhiteSpace(memoryCurrent) ? null : ParseBytes(memoryCurrent.Trim());

    /// <summary>
    /// The node's figures: the host's, narrowed by the cgroup limit (limit − usage available) when that is smaller,
    /// and by a configured cap, which bounds total, and available to the cap minus what this process already uses
    /// (<paramref name="processUsedBytes"/>, its resident set): a capped node's own memory counts against its cap.
    /// </summary>
    public static MemoryReading Combine(MemoryReading host, long? cgroupLimit, long? cgroupUsage, long? configuredCap, long processUsedBytes = 0)
    {
        var total = host.TotalBytes;
        var available = host.AvailableBytes;
        if (cgroupLimit is { } limit && limit < total)
        {
            total = limit;
            available = Math.Min(available, Math.Max(0, limit - (cgroupUsage ?? 0)));
        }
        if (configuredCap is { } cap)
        {
            total = Math.Min(total, cap);
            available = Math.Min(available, Math.Max(0, cap - processUsedBytes));
        }
        return new MemoryReading(total, Math.Min(available, total));
    }

    private static long? ParseKibLine(ReadOnlySpan<char> line)
    {
        var value = line[(line.IndexOf(':') + 1)..].Trim();
        var space = value.IndexOf(' ');
        var number = space < 0 ? value : value[..space];
        var unitIsKib = space >= 0 && value[(space + 1)..].Trim().Equals("kB", StringComparison.OrdinalIgnoreCase);
        return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? (unitIsKib ? n * 1024 : n)
            : null;
    }

    private static long? ParseBytes(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
