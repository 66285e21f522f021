using System.Security.Cryptography;

namespace DirectDriveX.Http.Tus;

/// <summary>Reads through to <paramref name="inner"/> and hashes every byte read with each of <paramref name="hashes"/> (a tus
/// PATCH body under Upload-Checksum: one algorithm from the header, or every supported one for a trailer).</summary>
internal sealed class HashingReadStream(Stream inner, IReadOnlyList<IncrementalHash> hashes) : ForwardReadStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        foreach (var hash in hashes) hash.AppendData(buffer.Span[..read]);
        return read;
    }
}
