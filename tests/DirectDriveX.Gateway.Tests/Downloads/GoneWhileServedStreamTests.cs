using DirectDriveX.Gateway.Downloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectDriveX.Gateway.Tests.Downloads;

public class GoneWhileServedStreamTests
{
    /// <summary>Object storage after the file's deletion: the first read works, the next ranged read fails.</summary>
    private sealed class VanishingStream(byte[] data) : MemoryStream(data)
    {
        private int _reads;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ++_reads == 1 ? base.ReadAsync(buffer, cancellationToken) : throw new IOException("S3: 404 NoSuchKey");
    }

    [Fact]
    public async Task A_read_that_fails_once_the_bytes_are_gone_cancels_the_download_instead_of_failing_the_server()
    {
        var data = TestBytes.Random(1000, seed: 56);
        await using var stream = new GoneWhileServedStream(new VanishingStream(data), "f", NullLogger.Instance);
        Assert.Equal((true, 1000L), (stream.CanSeek, stream.Length)); // ranges still work: ASP.NET seeks and asks the length
        var buffer = new byte[600];
        await stream.ReadExactlyAsync(buffer);
        Assert.Equal(data[..600], buffer);
        var cancelled = await Assert.ThrowsAsync<OperationCanceledException>(async () => await stream.ReadExactlyAsync(buffer));
        Assert.IsType<IOException>(cancelled.InnerException);
    }
}
