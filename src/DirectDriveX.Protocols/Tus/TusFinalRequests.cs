using System.Globalization;
using DirectDriveX.Node.Concatenation;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http.Tus;
using DirectDriveX.Http;

namespace DirectDriveX.Protocols.Tus;

/// <summary>
/// The tus framing of concatenation (concatenation, concatenation-unfinished), whose lifecycle is
/// <see cref="UploadConcatenation"/>'s: a final upload's creation, and HEAD, PATCH and DELETE on the URL of one created before
/// its partial uploads were complete. Such a URL names the final upload (<see cref="ITusFinalUploadGrain"/>), not a session.
/// Until it is concatenated HEAD answers no <c>Upload-Offset</c> (the spec: it SHOULD NOT, before the concatenation has
/// finished), and <c>Upload-Length</c> once every partial upload's length is known; after, both, equal.
/// </summary>
internal static class TusFinalRequests
{
    /// <summary><c>Upload-Concat: final;…</c>: concatenated at once when every partial upload is complete (201, the final upload
    /// stored), else recorded and concatenated when the last one completes (201; HEAD tells when it is done).</summary>
    public static async Task<IResult> CreateAsync(HttpContext context, TusConcat concat, UploadRequest final)
    {
        var (tus, maxSize) = TusCreation.Settings(context);
        var refusals = context.RequestServices.GetRequiredService<RefusalResults>();
        var concatenation = context.RequestServices.GetRequiredService<UploadConcatenation>();
        var keys = concat.PartialUrls.Select(url =>
        {
            var (uploadId, token) = TusProtocol.ParseKey(TusProtocol.KeyOfUrl(url) ?? "");
            return new PartialUploadKey(uploadId, token, url);
        }).ToList();
        var (partials, refused) = await concatenation.PartialsAsync(keys);
        if (partials is not { } parts) return refusals.Tus(context, refused!);
        var size = parts.Sum(p => p.Size);
        if (parts.All(p => !p.LengthDeferred) && size > maxSize)
            return refusals.Tus(context, new UploadRefusal(RefusalReason.FileTooLarge, $"The partial uploads add up to {size} bytes, over the maximum of {maxSize}."));
        if (parts.Any(p => p.State != UploadState.Completed))
        {
            var (finalId, token) = await concatenation.AwaitPartialsAsync(parts, final);
            context.Response.Headers.Location = $"{context.Request.PathBase}{tus.Path}{TusProtocol.Key(finalId, token)}";
            return Results.StatusCode(StatusCodes.Status201Created);
        }

        UploadSessionHandle session;
        try
        {
            var (stored, refusal) = await concatenation.ConcatenateNowAsync(final, parts, context.RequestAborted);
            if (refusal is not null) return refusals.Tus(context, refusal);
            session = stored!;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return Results.Empty; // the client went away; the session was aborted
        }
        context.Response.Headers.Location = TusProtocol.Location(context, tus, session.UploadId, session.ResumeToken!);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>HEAD, PATCH or DELETE on an upload URL whose session is unknown or has another token: a final upload created
    /// before its partial uploads were complete (its session, once started, has the final's id and a token of its own), else
    /// <paramref name="unopened"/>.</summary>
    public static async Task<IResult> AnswerAsync(HttpContext context, string key, UploadRefusal unopened)
    {
        var refusals = context.RequestServices.GetRequiredService<RefusalResults>();
        var concatenation = context.RequestServices.GetRequiredService<UploadConcatenation>();
        var (finalId, token) = TusProtocol.ParseKey(key);
        var opening = await concatenation.OpenFinalAsync(finalId, token);
        if (opening.Refusal is { Reason: RefusalReason.NotFound }) return refusals.Tus(context, unopened);
        if (opening.Refusal is { } refused) return refusals.Tus(context, refused);
        var final = opening.Upload!;
        var method = context.Request.Method;
        if (HttpMethods.IsPatch(method))
            return refusals.Tus(context, new UploadRefusal(RefusalReason.ReadOnly,
                "This is a final upload (Upload-Concat: final): it is made of its partial uploads and takes no PATCH."));
        if (HttpMethods.IsDelete(method))
        {
            await concatenation.TerminateFinalAsync(final); // 410 from now on
            return Results.NoContent();
        }

        var view = await concatenation.ViewFinalAsync(final);
        if (view.Refusal is { } ended) return refusals.Tus(context, ended);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        if (view.Offset is { } offset) headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
        if (view.Length is { } length) headers["Upload-Length"] = length.ToString(CultureInfo.InvariantCulture);
        headers[TusConcat.Header] = final.TusConcat;
        if (final.TusMetadata is { Length: > 0 } metadata) headers["Upload-Metadata"] = metadata;
        return Results.Ok();
    }
}
