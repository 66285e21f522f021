using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Node.Buffers;

/// <summary>Configuration section <c>ChunkBuffers</c>: the per-silo pool every chunk is received through.</summary>
public sealed class ChunkBufferPoolOptions
{
    public const string Section = "ChunkBuffers";

    /// <summary>Buffers the pool may hold at once: how many connections may have bytes on their way from the socket to the
    /// disk at the same moment. Default 15.</summary>
    [Range(1, 1024)]
    public int MaxBuffers { get; set; } = 15;

    /// <summary>How long a writer waits for a free buffer before it is refused with BuffersExhausted. Default 10 s.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
