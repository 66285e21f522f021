using Amazon.S3;
using Amazon.S3.Model;

namespace DirectDriveX.Storage.S3;

/// <summary>A presigned GET of a stored file's object: signed here with the store's credentials (no request to the store),
/// valid for the link's lifetime, with the response's content type and disposition fixed by the signature.</summary>
internal static class S3PresignedDownload
{
    public static async Task<Uri> CreateAsync(IAmazonS3 client, string bucket, string key, StoredFileLink link, bool https)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + link.ValidFor,
            Protocol = https ? Protocol.HTTPS : Protocol.HTTP,
        };
        request.ResponseHeaderOverrides.ContentType = link.ContentType;
        request.ResponseHeaderOverrides.ContentDisposition = link.ContentDisposition;
        return new Uri(await client.GetPreSignedURLAsync(request));
    }
}
