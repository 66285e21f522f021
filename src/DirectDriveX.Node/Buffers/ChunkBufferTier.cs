namespace DirectDriveX.Node.Buffers;

/// <summary>One size class of the pool: its buffer size and how many buffers of it may exist.</summary>
public sealed record ChunkBufferTier(int BufferSize, int MaxBuffers)
{
    public const int MiB = 1024 * 1024;

    public static IReadOnlyList<ChunkBufferTier> From(ChunkBufferPoolOptions options) =>
    [
        new(8 * MiB, options.Max8MiBBuffers),
        new(16 * MiB, options.Max16MiBBuffers),
        new(32 * MiB, options.Max32MiBBuffers),
    ];
}
