namespace DirectDriveX.Grains.Interfaces;

/// <summary>The role an upload plays in a concatenation, as kept in <see cref="UploadStatus.TusConcat"/> (tus
/// <c>Upload-Concat</c> as received): a partial upload, or a final upload made of partial ones.</summary>
public static class ConcatenationRole
{
    public const string Partial = "partial";
    public const string FinalPrefix = "final;";

    public static bool IsPartial(string? stored) => stored == Partial;

    public static bool IsFinal(string? stored) => stored?.StartsWith(FinalPrefix, StringComparison.Ordinal) == true;
}
