using DirectDriveX.Grains.Memory;

namespace DirectDriveX.Grains.Tests.Memory;

public class HostMemoryFiguresTests
{
    private const string MemInfo = """
        MemTotal:       24576000 kB
        MemFree:         1000000 kB
        MemAvailable:   20480000 kB
        Buffers:          100000 kB
        """;

    [Fact]
    public void Reads_total_and_available_from_meminfo() =>
        Assert.Equal(new MemoryReading(24576000L * 1024, 20480000L * 1024), HostMemoryFigures.ParseMemInfo(MemInfo));

    [Fact]
    public void Meminfo_without_MemAvailable_is_unreadable() =>
        Assert.Null(HostMemoryFigures.ParseMemInfo("MemTotal: 100 kB\nMemFree: 50 kB\n"));

    [Theory]
    [InlineData("max\n", null)]
    [InlineData("4294967296\n", 4294967296L)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Reads_the_cgroup_limit(string? text, long? expected) =>
        Assert.Equal(expected, HostMemoryFigures.ParseCgroupLimit(text));

    [Fact]
    public void A_smaller_cgroup_limit_narrows_total_and_available()
    {
        var host = new MemoryReading(24L << 30, 20L << 30);
        var node = HostMemoryFigures.Combine(host, cgroupLimit: 4L << 30, cgroupUsage: 3L << 30, configuredCap: null);
        Assert.Equal(new MemoryReading(4L << 30, 1L << 30), node);
    }

    [Fact]
    public void An_unlimited_cgroup_leaves_the_host_figures()
    {
        var host = new MemoryReading(24L << 30, 20L << 30);
        Assert.Equal(host, HostMemoryFigures.Combine(host, null, 5L << 30, null));
    }

    [Fact]
    public void A_configured_cap_bounds_total_and_available()
    {
        var host = new MemoryReading(24L << 30, 20L << 30);
        Assert.Equal(new MemoryReading(2L << 30, 2L << 30), HostMemoryFigures.Combine(host, null, null, configuredCap: 2L << 30));
    }

    [Fact]
    public void Under_a_configured_cap_what_the_process_already_uses_is_not_available()
    {
        var host = new MemoryReading(24L << 30, 20L << 30);
        var node = HostMemoryFigures.Combine(host, null, null, configuredCap: 4L << 30, processUsedBytes: 450L << 20);
        Assert.Equal(new MemoryReading(4L << 30, (4L << 30) - (450L << 20)), node);
    }

    [Fact]
    public void The_live_probe_reads_this_machine()
    {
        var reading = new HostMemoryProbe(Microsoft.Extensions.Options.Options.Create(new Budget.MemoryBudgetOptions())).Read();
        Assert.InRange(reading.TotalBytes, 1L << 20, long.MaxValue);
        Assert.InRange(reading.AvailableBytes, 0, reading.TotalBytes);
    }
}
