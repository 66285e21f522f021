using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage.FileSystem;

/// <summary>
/// How the file system store names a part: <c>{epoch}@{start}</c>, the staging file of fencing epoch <c>epoch</c>, which holds
/// the upload's bytes from offset <c>start</c> at its position 0. Each epoch writes a file of its own, so a writer of an
/// earlier epoch can never touch bytes a later one committed.
/// </summary>
public readonly record struct FileSystemLocator(int Epoch, long Start)
{
    public override string ToString() => $"{Epoch}@{Start}";

    public static FileSystemLocator Parse(StagedPart part)
    {
        var at = part.Locator.IndexOf('@');
        if (at > 0 && int.TryParse(part.Locator.AsSpan(0, at), out var epoch) && long.TryParse(part.Locator.AsSpan(at + 1), out var start)
            && epoch >= 0 && start >= 0 && start <= part.Offset)
            return new FileSystemLocator(epoch, start);
        throw new ArgumentException($"'{part.Locator}' is not a staging file of the file system store.", nameof(part));
    }

    /// <summary>Where the parts <see cref="For"/> reads begin in <paramref name="parts"/> (the upload's last parts): the last one,
    /// the epoch file a writer of its epoch goes on writing; -1 when there is none.</summary>
    public static int FirstPartRead(IReadOnlyList<StagedPart> parts) => parts.Count - 1;

    /// <summary>Where <paramref name="target"/>'s epoch writes: the file its last part is in when that is the epoch's own,
    /// else a file starting at the committed offset.</summary>
    public static FileSystemLocator For(StagingTarget target) =>
        target.Parts.Count > 0 && Parse(target.Parts[^1]) is var last && last.Epoch == target.Epoch
            ? last
            : new FileSystemLocator(target.Epoch, target.Committed);
}
