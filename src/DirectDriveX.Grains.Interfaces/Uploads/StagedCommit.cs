namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// What a store made durable for one commit, for the session grain to record: the parts that now hold the committed bytes
/// (they may start before the commit's offset when they replace earlier, smaller parts: staged pieces of an S3 part that
/// is now whole), the store's own id of the upload where it has one (an S3 multipart upload id), and where a later commit
/// may replace parts from when that is before this commit's first part.
/// </summary>
/// <param name="ReplaceableFrom">The first byte a later commit may replace parts from, where the store says: the start of
/// the S3 part whose pieces this commit left staged (the commit that makes the part whole replaces every piece of it, those of
/// earlier commits too). Null: no later commit replaces anything before this commit's first part.</param>
[GenerateSerializer, Immutable]
public sealed record StagedCommit(
    [property: Id(0)] StagedPart[] Parts,
    [property: Id(1)] string? StoreUploadId = null,
    [property: Id(2)] long? ReplaceableFrom = null)
{
    /// <summary>The first byte a later commit may replace: this commit's first part's, or earlier where the store says so.</summary>
    public long ReplaceableStart => Math.Min(Parts.Length == 0 ? long.MaxValue : Parts[0].Offset, ReplaceableFrom ?? long.MaxValue);
}
