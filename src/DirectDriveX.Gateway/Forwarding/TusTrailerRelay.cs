using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;
using DirectDriveX.Http.Tus;

namespace DirectDriveX.Gateway.Forwarding;

/// <summary>
/// checksum-trailer through a gateway that forwards a PATCH to the node holding the upload: HTTP clients send no request
/// trailers, so the trailer cannot travel with the body. The gateway checks it instead: it hashes the body as the forwarder
/// reads it, and at its end reads the trailer; the forwarded body ends only when the trailer matched, and is broken off
/// otherwise, so the node (told by <see cref="TusChecksum.CheckedUpstreamHeader"/> to hold the body's commits) keeps none of
/// it, and the client is given the check's refusal (460, or 400) by the gateway.
/// </summary>
public sealed class TusTrailerRelay : IDisposable
{
    private readonly TusBodyChecksum _check;

    private TusTrailerRelay(TusBodyChecksum check) => _check = check;

    /// <summary>What the check refused, once the body has ended (the forward then fails: answer this instead).</summary>
    public UploadRefusal? Refusal { get; private set; }

    /// <summary>For a request on an upload URL about to be forwarded: removes a client's own
    /// <see cref="TusChecksum.CheckedUpstreamHeader"/>, and for a PATCH with an announced <c>Upload-Checksum</c> trailer (and no
    /// such header) sets it and checks the body on its way; null when there is nothing to check here.</summary>
    public static TusTrailerRelay? Begin(HttpContext context)
    {
        var request = context.Request;
        request.Headers.Remove(TusChecksum.CheckedUpstreamHeader);
        if (!HttpMethods.IsPatch(request.Method) || request.Headers.ContainsKey(TusChecksum.Header) || !TusChecksum.AnnouncesTrailer(request))
            return null;
        var (check, _) = TusBodyChecksum.For(request, trustUpstream: false);
        var relay = new TusTrailerRelay(check!);
        request.Body = new CheckedBody(relay, context, check!.Wrap(request.Body));
        request.Headers[TusChecksum.CheckedUpstreamHeader] = "1";
        context.Response.RegisterForDispose(relay);
        return relay;
    }

    public void Dispose() => _check.Dispose();

    /// <summary>The body as the forwarder reads it: its end is passed on only when the trailer matches.</summary>
    private sealed class CheckedBody(TusTrailerRelay relay, HttpContext context, Stream hashed) : ForwardReadStream
    {
        private bool _ended;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_ended)
            {
                var read = await hashed.ReadAsync(buffer, cancellationToken);
                if (read > 0 || buffer.Length == 0) return read;
                _ended = true;
                relay.Refusal = relay._check.Verify(context.Request);
            }
            // Thrown at every read after a failed check: the forwarded body must never reach its end.
            if (relay.Refusal is { } refused) throw new IOException($"The PATCH body is not forwarded whole: {refused.Message}");
            return 0;
        }
    }
}
