using DirectDriveX.Storage;

namespace DirectDriveX.Grains.Storage;

/// <summary>How much free space the file store has now (<see cref="FileStoreSpaceProbe"/>: the store's file system), or null
/// when it has no fill level to read (object storage).</summary>
public interface IStoreSpaceProbe
{
    long? AvailableBytes();
}

/// <summary>The store's own file system's free space.</summary>
public sealed class FileStoreSpaceProbe(IUploadStore store) : IStoreSpaceProbe
{
    public long? AvailableBytes() => store.AvailableBytes();
}
