using Amazon.Runtime;

namespace DirectDriveX.Storage.S3;

/// <summary>How an S3 call fails to its callers: the service's and the network's failures become <see cref="IOException"/>s
/// (a store failure every caller maps to a typed refusal).</summary>
internal static class S3Failures
{
    public static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or AmazonClientException)
        {
            throw new IOException($"S3: {e.Message}", e);
        }
    }

    public static Task Call(Func<Task> call) => Call(async () =>
    {
        await call();
        return 0;
    });

    /// <summary>As <see cref="Call(Func{Task})"/>, but a service error with the code <paramref name="expectedErrorCode"/> is an
    /// answer, not a failure.</summary>
    public static Task CallExpecting(string expectedErrorCode, Func<Task> call) => Call(async () =>
    {
        try
        {
            await call();
        }
        catch (AmazonServiceException e) when (e.ErrorCode == expectedErrorCode)
        {
        }
    });
}
