using Amazon.S3;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage.S3;

/// <summary>
/// A file committed at once is one PutObject straight to its key, <c>files/{id}</c>, which S3 (and s3rver) does not fence: a
/// writer of an earlier epoch whose PutObject lands late replaces the object the session recorded. Before the upload is
/// assembled (and so before it is hashed and published), the object's ETag must still be the one its writer's PutObject
/// answered, recorded with the commit; else the completion is refused. (Azure's store checks its blob's the same way.)
/// </summary>
internal static class S3WholeObject
{
    /// <exception cref="IOException">The object is not the one <paramref name="whole"/> recorded.</exception>
    public static async Task CheckAsync(IAmazonS3 client, string bucket, string key, string uploadId, StagedPart whole, CancellationToken cancellationToken)
    {
        var metadata = await S3Failures.Call(() => client.GetObjectMetadataAsync(bucket, key, cancellationToken));
        if (metadata.ETag != whole.Tag)
            throw new IOException($"The object of upload {uploadId} is not the one its writer stored (ETag {metadata.ETag}, recorded {whole.Tag}): " +
                "another writer replaced it; send the file again as a new upload.");
    }
}
