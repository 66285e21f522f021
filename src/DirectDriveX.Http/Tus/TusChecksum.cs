using System.Security.Cryptography;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http.Tus;

/// <summary>
/// The checksum and checksum-trailer extensions: a request body is checked against <c>Upload-Checksum</c>, sent as a header
/// (the algorithm and digest known before the body) or as a trailer after a chunked body (announced by <c>Trailer:
/// Upload-Checksum</c>; the algorithm is known only at the end, so the body is hashed with every supported algorithm). Until
/// the check, the writer holds its commits; a body that fails it is discarded (<see cref="TusBodyChecksum"/>).
/// </summary>
public static class TusChecksum
{
    public const string Header = "Upload-Checksum";

    /// <summary>Supported algorithms, as <c>Tus-Checksum-Algorithm</c> lists them.</summary>
    public const string Algorithms = "sha1,sha256,md5";

    /// <summary>Set on a forwarded request by a gateway that checks the body's <c>Upload-Checksum</c> trailer itself (HTTP
    /// clients forward no request trailers): it ends the forwarded body only when the trailer matched, and breaks it off
    /// otherwise. The node so holds the body's commits until its end and discards them if it never comes. The gateway removes
    /// the header from what clients send; a client that sends it to a node directly only gives up its own check.</summary>
    public const string CheckedUpstreamHeader = "X-DirectDriveX-Checksum-Trailer-Checked";

    public static HashAlgorithmName? Algorithm(string name) => name switch
    {
        "sha1" => HashAlgorithmName.SHA1,
        "sha256" => HashAlgorithmName.SHA256,
        "md5" => HashAlgorithmName.MD5,
        _ => null,
    };

    /// <summary><c>algorithm base64digest</c>; a refusal (400) when the algorithm is unsupported or the value malformed.</summary>
    public static (HashAlgorithmName Algorithm, byte[] Digest, UploadRefusal? Refusal) Parse(string value)
    {
        var parts = value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || Algorithm(parts[0]) is not { } algorithm)
            return (default, [], Invalid($"Upload-Checksum: {(parts.Length == 0 ? "no algorithm" : parts[0])} is not supported; use one of {Algorithms}."));
        try
        {
            if (parts.Length == 2) return (algorithm, Convert.FromBase64String(parts[1]), null);
        }
        catch (FormatException) { }
        return (default, [], Invalid("Upload-Checksum: expected \"algorithm base64digest\"."));
    }

    /// <summary>Whether the request announces an <c>Upload-Checksum</c> trailer (<c>Trailer: Upload-Checksum</c>).</summary>
    public static bool AnnouncesTrailer(HttpRequest request) =>
        request.Headers["Trailer"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries))
            .Contains(Header, StringComparer.OrdinalIgnoreCase);

    internal static UploadRefusal Invalid(string message) => new(RefusalReason.InvalidRequest, message);
}

/// <summary>One request body's check: how it is read (hashed or not), whether the writer must hold its commits until the
/// check, and the check itself once the body has been read to its end.</summary>
public sealed class TusBodyChecksum : IDisposable
{
    private enum Source { Header, Trailer, CheckedUpstream }

    private static readonly string[] TrailerAlgorithms = TusChecksum.Algorithms.Split(',');

    private readonly Source _source;
    private readonly byte[] _digest;
    private readonly Dictionary<string, IncrementalHash> _hashes;

    private TusBodyChecksum(Source source, byte[] digest, Dictionary<string, IncrementalHash> hashes)
    {
        _source = source;
        _digest = digest;
        _hashes = hashes;
    }

    /// <summary>The request's check: null when it has none; a refusal (400) for a header it cannot use. On a node,
    /// <paramref name="trustUpstream"/> lets a gateway's <see cref="TusChecksum.CheckedUpstreamHeader"/> stand for the trailer.</summary>
    public static (TusBodyChecksum? Check, UploadRefusal? Refusal) For(HttpRequest request, bool trustUpstream)
    {
        if (request.Headers[TusChecksum.Header].ToString() is { Length: > 0 } header)
        {
            var (algorithm, digest, refusal) = TusChecksum.Parse(header);
            if (refusal is not null) return (null, refusal);
            var name = algorithm.Name!.ToLowerInvariant();
            return (new TusBodyChecksum(Source.Header, digest, new() { [name] = IncrementalHash.CreateHash(algorithm) }), null);
        }
        if (trustUpstream && request.Headers.ContainsKey(TusChecksum.CheckedUpstreamHeader))
            return (new TusBodyChecksum(Source.CheckedUpstream, [], []), null);
        if (TusChecksum.AnnouncesTrailer(request))
            return (new TusBodyChecksum(Source.Trailer, [], TrailerAlgorithms.ToDictionary(a => a, a => IncrementalHash.CreateHash(TusChecksum.Algorithm(a)!.Value))), null);
        return (null, null);
    }

    /// <summary>The body to read: hashed on the way when this process checks it.</summary>
    public Stream Wrap(Stream body) => _hashes.Count == 0 ? body : new HashingReadStream(body, [.. _hashes.Values]);

    /// <summary>After the body has been read to its end: null when it matches (or a gateway checked it); otherwise the refusal,
    /// <see cref="RefusalReason.HashMismatch"/> (460) for a digest that differs, <see cref="RefusalReason.InvalidRequest"/> (400)
    /// for an announced trailer that did not come or names an unsupported algorithm.</summary>
    public UploadRefusal? Verify(HttpRequest request)
    {
        switch (_source)
        {
            case Source.CheckedUpstream:
                return null;
            case Source.Header:
                return Matches(_hashes.Values.Single(), _digest);
            default:
                var trailer = request.SupportsTrailers() && request.CheckTrailersAvailable() ? request.GetTrailer(TusChecksum.Header).ToString() : "";
                if (trailer.Length == 0)
                    return TusChecksum.Invalid("Trailer: Upload-Checksum was announced, but the body ended without it.");
                var (algorithm, digest, refusal) = TusChecksum.Parse(trailer);
                return refusal ?? Matches(_hashes[algorithm.Name!.ToLowerInvariant()], digest);
        }
    }

    private static UploadRefusal? Matches(IncrementalHash hash, byte[] digest) =>
        CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), digest) ? null
            : new UploadRefusal(RefusalReason.HashMismatch, "The body does not match its Upload-Checksum.");

    public void Dispose()
    {
        foreach (var hash in _hashes.Values) hash.Dispose();
    }
}
