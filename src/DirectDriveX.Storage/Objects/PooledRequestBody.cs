using System.Buffers;

namespace DirectDriveX.Storage.Objects;

/// <summary>
/// A request body held in one buffer rented from <see cref="Buffers"/>: a read-only, seekable memory stream whose buffer goes
/// back to the pool when it is disposed (once, however often it is disposed). An SDK that reads its body twice in small
/// synchronous reads (the AWS SDK: once to sign the payload, once to send it) then copies memory instead of making a system
/// call per 4 KiB.
/// </summary>
internal sealed class PooledRequestBody : MemoryStream
{
    /// <summary>The process's body buffers: at most <see cref="KeptPerSize"/> of each size are kept between requests, not one
    /// per thread that ever returned one (<see cref="ArrayPool{T}.Shared"/> keeps one per thread: with commits continuing on
    /// any thread-pool thread, tens of 8 MiB arrays, 50–70 MiB of RSS a node's leases do not count). A body beyond what is
    /// kept is allocated and collected.</summary>
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(ScratchFile.MaxPooledBodyBytes, KeptPerSize);

    public const int KeptPerSize = 2;

    private byte[]? _buffer;

    private PooledRequestBody(byte[] buffer, int length) : base(buffer, 0, length, writable: false) => _buffer = buffer;

    /// <summary>Rents a buffer of <paramref name="bufferLength"/> bytes (at least <paramref name="length"/>) and fills its first
    /// <paramref name="length"/> with <paramref name="fill"/>.</summary>
    public static async Task<PooledRequestBody> FillAsync(int length, int bufferLength, Func<Memory<byte>, ValueTask> fill)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferLength, length);
        var buffer = Buffers.Rent(bufferLength);
        try
        {
            await fill(buffer.AsMemory(0, length));
        }
        catch
        {
            Buffers.Return(buffer);
            throw;
        }
        return new PooledRequestBody(buffer, length);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer) Buffers.Return(buffer);
    }
}
