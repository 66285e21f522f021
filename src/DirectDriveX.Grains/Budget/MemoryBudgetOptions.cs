using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Grains.Budget;

/// <summary>Configuration section <c>MemoryBudget</c>: how much of a node's memory uploads may lease.</summary>
public sealed class MemoryBudgetOptions
{
    public const string Section = "MemoryBudget";

    /// <summary>Memory never handed out, whatever else the figures say. Default 512 MiB.</summary>
    [Range(0, long.MaxValue)]
    public long ReserveBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Share of the node's total memory that may be in use, leases included. Default 80.</summary>
    [Range(1, 100)]
    public int UsageCeilingPercent { get; set; } = 80;

    /// <summary>Caps the node's memory (for tests, and for several silos sharing one host). Null: no cap.</summary>
    [Range(1, long.MaxValue)]
    public long? MemoryLimitBytes { get; set; }

    /// <summary>A lease not renewed for this long (no chunk) expires and its bytes come back. Default 2 minutes.</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the node reads its memory and its store's free space (<c>NodeResources</c>); admissions read that
    /// sample, and read afresh before refusing. Default 500 ms.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often expired leases and idle sessions are swept. Default 5 seconds.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);
}
