using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>What a writer tells its client when it stops, pure: the words of each refusal the receive path and the
/// committer give.</summary>
internal static class WriterRefusals
{
    public static readonly UploadRefusal TakenOver =
        new(RefusalReason.InvalidState, "Another connection has taken over this upload; this one ends.");

    /// <summary>Bytes past the end: past the declared size, or, for an upload whose length is not declared yet, past the
    /// largest file it may become (<c>Uploads:MaxFileSizeBytes</c>, or its client's limit).</summary>
    public static UploadRefusal PastTheEnd(long size, bool sizeIsLimit) => sizeIsLimit
        ? new UploadRefusal(RefusalReason.FileTooLarge, $"The data runs past {size} bytes, the largest file this upload may become; its length was never declared.")
        : PastDeclaredSize.Refusal(size);

    /// <summary>A full disk is the client's to wait out (the committed prefix stays, resumable once space returns); any other
    /// I/O error is a server fault.</summary>
    public static UploadRefusal Storage(IOException e, long committed, string message) => IsDiskFull(e)
        ? new UploadRefusal(RefusalReason.InsufficientStorage,
            $"The file store is full; the upload keeps its {committed} committed bytes: resume from there when space returns.",
            ExpectedOffset: committed)
        : new UploadRefusal(RefusalReason.StorageFailure, message);

    /// <summary>Bytes sent again below the committed offset that are not the committed ones (or cannot be read back to compare).</summary>
    public static UploadRefusal Replayed(ReplayedBytes.Match match, long offset, long committed) => new(RefusalReason.OffsetMismatch,
        match == ReplayedBytes.Match.Unreadable
            ? $"The bytes at offset {offset} are already committed, and the store cannot read them back to compare; the upload continues at {committed}."
            : $"The bytes at offset {offset} differ from the ones already committed there; the upload continues at {committed}.",
        ExpectedOffset: committed);

    /// <summary>ENOSPC (28) on Linux; ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    private static bool IsDiskFull(IOException e) => e.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027);
}
