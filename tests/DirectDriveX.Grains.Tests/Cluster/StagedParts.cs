using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage.FileSystem;

namespace DirectDriveX.Grains.Tests.Cluster;

/// <summary>What a test that commits straight to a session grain says the store holds: the file system store's part of an
/// epoch's staging file that starts at <c>start</c>.</summary>
public static class StagedParts
{
    public static StagedCommit InFile(int epoch, long offset, long length, long start = 0) =>
        new([new StagedPart(offset, length, new FileSystemLocator(epoch, start).ToString())]);
}
