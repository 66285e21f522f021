using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace DirectDriveX.Storage.S3;

/// <summary>The objects under a key prefix, page after page (ListObjectsV2 and its continuation token).</summary>
internal static class S3KeyListing
{
    public static async IAsyncEnumerable<S3Object> ListAsync(IAmazonS3 client, string bucket, string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await S3Failures.Call(() => client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = bucket, Prefix = prefix, ContinuationToken = token,
            }, cancellationToken));
            foreach (var item in page.S3Objects ?? []) yield return item;
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
    }
}
