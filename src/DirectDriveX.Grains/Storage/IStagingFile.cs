namespace DirectDriveX.Grains.Storage;

/// <summary>An upload's staging file, open for one writer: bytes written at their offsets, then made durable.</summary>
public interface IStagingFile : IDisposable
{
    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> (into the page cache; not yet durable).</summary>
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes every byte written so far durable (fsync) when <see cref="FileStoreOptions.FlushToDisk"/> is set.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
