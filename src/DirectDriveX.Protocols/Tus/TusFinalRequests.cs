using System.Globalization;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http.Tus;
using DirectDriveX.Http;

namespace DirectDriveX.Protocols.Tus;

/// <summary>
/// The requests about a tus final upload (concatenation, concatenation-unfinished): its creation, and HEAD, PATCH and DELETE
/// on the URL of one created before its partial uploads were complete. Such a URL names the final upload
/// (<see cref="ITusFinalUploadGrain"/>), not a session: its bytes are the session <see cref="TusConcatenation"/> starts when the
/// last partial upload completes. Until then HEAD answers no <c>Upload-Offset</c> (the spec: it SHOULD NOT, before the
/// concatenation has finished), and <c>Upload-Length</c> once every partial upload's length is known; after, both, equal.
/// </summary>
internal static class TusFinalRequests
{
    /// <summary><c>Upload-Concat: final;…</c>: concatenated at once when every partial upload is complete (201, the final upload
    /// stored), else recorded and concatenated when the last one completes (201; HEAD tells when it is done).</summary>
    public static async Task<IResult> CreateAsync(HttpContext context, TusConcat concat, UploadRequest final)
    {
        var (tus, maxSize) = TusCreation.Settings(context);
        var refusals = context.RequestServices.GetRequiredService<RefusalResults>();
        var concatenation = context.RequestServices.GetRequiredService<TusConcatenation>();
        var (partials, refused) = await concatenation.PartialsAsync(concat);
        if (partials is not { } parts) return refusals.Tus(context, refused!);
        var size = parts.Sum(p => p.Size);
        if (parts.All(p => !p.LengthDeferred) && size > maxSize)
            return refusals.Tus(context, new UploadRefusal(RefusalReason.FileTooLarge, $"The partial uploads add up to {size} bytes, over the maximum of {maxSize}."));
        if (parts.Any(p => p.State != UploadState.Completed))
        {
            var key = await concatenation.AwaitPartialsAsync(parts, final);
            context.Response.Headers.Location = $"{context.Request.PathBase}{tus.Path}{key}";
            return Results.StatusCode(StatusCodes.Status201Created);
        }

        var plane = context.RequestServices.GetRequiredService<UploadDataPlane>();
        var (session, refusal) = await plane.StartHereAsync(final with { Size = size });
        if (refusal is not null) return refusals.Tus(context, refusal);
        if (session!.StoredAtStart is null) // else empty partial uploads: an empty file, stored as it started
        {
            try
            {
                await session.ConcatenateAsync(parts, context.RequestAborted);
            }
            catch (UploadRefusedException e)
            {
                await session.AbortAsync();
                return refusals.Tus(context, e.Refusal);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                await session.AbortAsync();
                return Results.Empty;
            }
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
        var (finalId, token) = TusProtocol.ParseKey(key);
        if (!UploadIds.IsWellFormed(finalId)) return refusals.Tus(context, unopened);
        var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
        var finalGrain = grains.ReferenceTo<ITusFinalUploadGrain>(finalId);
        var opening = await finalGrain.Open(token);
        if (opening.Refusal is { Reason: RefusalReason.NotFound }) return refusals.Tus(context, unopened);
        if (opening.Refusal is { } refused) return refusals.Tus(context, refused);
        var final = opening.Upload!;
        var method = context.Request.Method;
        if (HttpMethods.IsPatch(method))
            return refusals.Tus(context, new UploadRefusal(RefusalReason.ReadOnly,
                "This is a final upload (Upload-Concat: final): it is made of its partial uploads and takes no PATCH."));

        var concatenation = context.RequestServices.GetRequiredService<TusConcatenation>();
        var session = await grains.ReferenceTo<IUploadSessionGrain>(final.SessionId).Open(null, requireToken: false);
        if (HttpMethods.IsDelete(method))
        {
            // Termination: the final upload ends here (410 from now on); its copy, when started, is aborted, and its stored file,
            // when done, deleted (the URL authorises it, as for any completed tus upload).
            await finalGrain.Terminate();
            if (session.Status is { State: UploadState.Completed, FileId: { } fileId }) await grains.ReferenceTo<IStoredFileGrain>(fileId).Delete();
            else if (session.Status is { } live && !live.State.IsFinal()) await grains.ReferenceTo<IUploadSessionGrain>(final.SessionId).Abort();
            return Results.NoContent();
        }

        var headers = context.Response.Headers;
        if (session.Status is { State: UploadState.Completed } done)
        {
            if (done.FileId is null || await grains.ReferenceTo<IStoredFileGrain>(done.FileId).GetRecord() is null)
                return refusals.Tus(context, new UploadRefusal(RefusalReason.NotFound, $"Upload {finalId} is complete, and its file no longer exists."));
            headers["Upload-Offset"] = done.Size.ToString(CultureInfo.InvariantCulture);
            return Answer(context, final, done.Size);
        }
        if (session.Status is { } ended && ended.State.IsFinal()) return refusals.Tus(context, UploadSessionHandle.RefusalFor(ended));

        // Not concatenated yet: no Upload-Offset; the length once every partial upload's is known. A partial upload that ended
        // without completing ends the final upload too.
        long? length = 0;
        var complete = true;
        foreach (var partialId in final.PartialIds)
        {
            var part = await concatenation.OpenPartAsync(partialId, null, requireToken: false);
            if (part.Refusal is { } gone) return refusals.Tus(context, gone with { Message = $"Partial upload {partialId}: {gone.Message}" });
            var status = part.Status!;
            if (status.State.IsFinal() && status.State != UploadState.Completed)
            {
                var end = UploadSessionHandle.RefusalFor(status);
                return refusals.Tus(context, end with { Message = $"Partial upload {partialId}: {end.Message}" });
            }
            complete &= status.State == UploadState.Completed;
            length = status.LengthDeferred ? null : length + status.Size;
        }
        // Every partial upload complete and no copy done: one that was cut short (or never told) starts (again) here.
        if (complete) concatenation.Kick(finalId);
        return Answer(context, final, length);
    }

    private static IResult Answer(HttpContext context, TusFinalUpload final, long? length)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        if (length is { } known) headers["Upload-Length"] = known.ToString(CultureInfo.InvariantCulture);
        headers[TusConcat.Header] = final.TusConcat;
        if (final.TusMetadata is { Length: > 0 } metadata) headers["Upload-Metadata"] = metadata;
        return Results.Ok();
    }
}
