using System.Buffers;

namespace DirectDriveX.Storage.Objects;

/// <summary>
/// A request body held in one buffer rented from <see cref="ArrayPool{T}.Shared"/>: a read-only, seekable memory stream whose
/// buffer goes back to the pool when it is disposed (once, however often it is disposed). An SDK that reads its body twice in
/// small synchronous reads (the AWS SDK: once to sign the payload, once to send it) then copies memory instead of making a
/// system call per 4 KiB.
/// </summary>
internal sealed class PooledRequestBody : MemoryStream
{
    private byte[]? _buffer;

    private PooledRequestBody(byte[] buffer, int length) : base(buffer, 0, length, writable: false) => _buffer = buffer;

    /// <summary>Rents a buffer of <paramref name="length"/> bytes and fills it with <paramref name="fill"/>.</summary>
    public static async Task<PooledRequestBody> FillAsync(int length, Func<Memory<byte>, ValueTask> fill)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await fill(buffer.AsMemory(0, length));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        return new PooledRequestBody(buffer, length);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
    }
}
