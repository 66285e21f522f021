using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage;

/// <summary>
/// One upload as a store stages it for a writer of fencing epoch <see cref="Epoch"/>: its size and chunk size (which fix how an
/// object store cuts it into parts), the committed offset, the parts that hold the committed bytes, and the store's own id of
/// the upload (an S3 multipart upload id) once it has one. <see cref="PlanSize"/>, when set, is the size the parts are planned
/// by instead of <see cref="Size"/> (an upload created without its length: planned for the most it may become, and so kept
/// once its length is known). <see cref="SentPartNumber"/>: the highest S3 part number a writer may have sent and not recorded
/// (a held body's); this writer numbers past it.
/// </summary>
public sealed record StagingTarget(
    string UploadId,
    int Epoch,
    long Size,
    int ChunkSize,
    long Committed,
    IReadOnlyList<StagedPart> Parts,
    string? StoreUploadId,
    long? PlanSize = null,
    int SentPartNumber = 0);

/// <summary>What an upload may have left in a store: its last epoch, the parts its session recorded, its store id.
/// <see cref="OneWriter"/>: the upload had a single writer, of <see cref="LastEpoch"/>, from its start (a one-request upload
/// whose session was never recorded, so no other writer was ever let in), so no other epoch staged anything.</summary>
public sealed record StagingRemains(string UploadId, int LastEpoch, IReadOnlyList<StagedPart> Parts, string? StoreUploadId, bool OneWriter = false);
