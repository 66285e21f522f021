namespace DirectDriveX.Grains.Interfaces;

/// <summary>The answer to a chunk write: the committed (durable) length after it, or a refusal.</summary>
/// <param name="Duplicate">True when the chunk had already been committed with the same bytes and was acknowledged again.</param>
[GenerateSerializer, Immutable]
public sealed record ChunkAck(
    [property: Id(0)] long CommittedOffset,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] UploadRefusal? Refusal)
{
    public bool Accepted => Refusal is null;
    public static ChunkAck Refused(long committed, UploadRefusal refusal) => new(committed, false, refusal);
}
