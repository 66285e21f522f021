using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Node.Buffers;

/// <summary>Configuration section <c>ChunkBuffers</c>: the per-silo pool every chunk is written through.</summary>
public sealed class ChunkBufferPoolOptions
{
    public const string Section = "ChunkBuffers";

    /// <summary>Buffers the pool may hold at once, all tiers together. Default 15.</summary>
    [Range(1, 1024)]
    public int MaxBuffers { get; set; } = 15;

    /// <summary>At most this many 8 MiB buffers. Default 7.</summary>
    [Range(0, 1024)]
    public int Max8MiBBuffers { get; set; } = 7;

    /// <summary>At most this many 16 MiB buffers. Default 15.</summary>
    [Range(0, 1024)]
    public int Max16MiBBuffers { get; set; } = 15;

    /// <summary>At most this many 32 MiB buffers. Default 3.</summary>
    [Range(0, 1024)]
    public int Max32MiBBuffers { get; set; } = 3;

    /// <summary>How long a writer waits for a free buffer before it is refused with BuffersExhausted. Default 10 s.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
