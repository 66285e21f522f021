namespace DirectDriveX.Grains.Interfaces;

/// <summary>The answer to a commit: the committed (durable) length after it, or a refusal.</summary>
[GenerateSerializer, Immutable]
public sealed record ChunkAck(
    [property: Id(0)] long CommittedOffset,
    [property: Id(1)] UploadRefusal? Refusal)
{
    public bool Accepted => Refusal is null;
    public static ChunkAck Refused(long committed, UploadRefusal refusal) => new(committed, refusal);
}
