using System.Globalization;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;
using DirectDriveX.Http.Tus;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Protocols.Tus;

/// <summary>
/// tus 1.0.0 (core and every extension of <see cref="TusProtocol.Extensions"/>) over this node's data
/// plane: PATCH bodies go through a <see cref="StagingWriter"/> like any other upload's bytes; HEAD, PATCH and DELETE open
/// the session through <see cref="UploadDataPlane.OpenAsync"/> with the token from the upload URL. A creation without bytes
/// is a control call (<see cref="ITusSessionStarter"/>: on the gateway, routed to the node with the most headroom); one
/// with bytes (creation-with-upload) and a final concatenation start their session on this node.
/// </summary>
public static class TusEndpoints
{
    public static IEndpointRouteBuilder MapTus(this IEndpointRouteBuilder app)
    {
        var path = app.ServiceProvider.GetRequiredService<IOptions<TusOptions>>().Value.Path;
        app.Map(path, (Delegate)CollectionAsync).WithMetadata(new DisableRequestSizeLimitAttribute());
        app.Map(path + "{key}", (Delegate)UploadAsync).WithMetadata(new DisableRequestSizeLimitAttribute()); // bounded by the declared size
        return app;
    }

    private static async Task<IResult> CollectionAsync(HttpContext context)
    {
        var (tus, maxSize) = TusCreation.Settings(context);
        if (TusProtocol.Prelude(context, tus, maxSize) is { } done) return done;
        if (!HttpMethods.IsPost(context.Request.Method)) return MethodNotAllowed(context, "OPTIONS, POST");
        return await CreateAsync(context);
    }

    private static async Task<IResult> UploadAsync(HttpContext context, string key)
    {
        var (tus, maxSize) = TusCreation.Settings(context);
        if (TusProtocol.Prelude(context, tus, maxSize) is { } done) return done;
        var method = context.Request.Method;
        if (HttpMethods.IsHead(method)) return await HeadAsync(context, key);
        if (HttpMethods.IsPatch(method)) return await PatchAsync(context, key);
        if (HttpMethods.IsDelete(method)) return await DeleteAsync(context, key);
        return MethodNotAllowed(context, "OPTIONS, HEAD, PATCH, DELETE");
    }

    /// <summary>POST on the collection: creation (a control call, <see cref="TusCreation.StartAsync"/>), or, with bytes or
    /// <c>Upload-Concat: final</c>, a session started on this node.</summary>
    private static async Task<IResult> CreateAsync(HttpContext context)
    {
        var (tus, _) = TusCreation.Settings(context);
        var refusals = context.RequestServices.GetRequiredService<RefusalResults>();
        var request = context.Request;
        var (creation, refused) = TusCreation.Read(context);
        if (refused is not null) return refusals.Tus(context, refused);
        var upload = creation!.Upload;
        if (creation.Concat is { IsFinal: true } final) return await TusFinalRequests.CreateAsync(context, final, upload);

        // An empty upload is complete once created (tus-js-client sends no PATCH for it): stored by its session's start.
        if ((upload.Size > 0 || upload.DeferLength) && TusProtocol.CarriesBody(request))
        {
            if (!IsOctetStream(request)) return UnsupportedMediaType(context);
            var plane = context.RequestServices.GetRequiredService<UploadDataPlane>();
            var (session, refusedHere) = await plane.StartHereAsync(upload with { BodyFollows = true });
            if (refusedHere is not null) return refusals.Tus(context, refusedHere);
            using var connection = context.RequestServices.GetRequiredService<UploadConnections>().Open(context, session!.UploadId);
            connection.SessionHere = true;
            var written = await TusBodyWriter.WriteBodyAsync(context, session!, 0, connection);
            context.Response.Headers.Location = TusProtocol.Location(context, tus, session!.UploadId, session.ResumeToken!);
            // The upload exists whatever became of its first bytes: the client continues from the offset given here. Unless
            // the body completed it, the status call records it first when no commit has (UploadRequest.BodyFollows).
            var status = written.Offset == session.Status.Size ? null : await session.Grain.GetState();
            var offset = written.Offset >= 0 ? written.Offset : status!.CommittedOffset;
            context.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
            TusBodyWriter.SetExpiresAfterWrite(context, session.Status, offset);
            return Results.StatusCode(StatusCodes.Status201Created);
        }
        return await TusCreation.StartAsync(context, upload);
    }

    private static async Task<IResult> HeadAsync(HttpContext context, string key)
    {
        var (session, refusals, _) = await OpenAsync(context, key);
        if (session.Refusal is { Reason: RefusalReason.NotFound or RefusalReason.Unauthorized } other) return await TusFinalRequests.AnswerAsync(context, key, other);
        if (session.Refusal is { } refused) return refusals.Tus(context, refused);
        var handle = session.Handle!;
        var status = handle.Status;
        if (status.State != UploadState.Completed && handle.FinishedRefusal is { } finished) return refusals.Tus(context, finished);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers["Upload-Offset"] = (status.State == UploadState.Completed ? status.Size : status.CommittedOffset).ToString(CultureInfo.InvariantCulture);
        if (status.LengthDeferred) headers["Upload-Defer-Length"] = "1"; // creation-defer-length: MUST, until it is declared
        else headers["Upload-Length"] = status.Size.ToString(CultureInfo.InvariantCulture);
        if (status.TusMetadata is { Length: > 0 } metadata) headers["Upload-Metadata"] = metadata;
        if (status.TusConcat is { Length: > 0 } concat) headers[TusConcat.Header] = concat;
        TusProtocol.SetExpires(context.Response, status, TusCreation.Uploads(context));
        return Results.Ok();
    }

    private static async Task<IResult> PatchAsync(HttpContext context, string key)
    {
        var request = context.Request;
        var refusals = context.RequestServices.GetRequiredService<RefusalResults>();
        if (!IsOctetStream(request)) return UnsupportedMediaType(context);
        if (!long.TryParse(request.Headers["Upload-Offset"], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            return refusals.Tus(context, Invalid("Upload-Offset: a non-negative number of bytes is required."));
        var (session, _, _) = await OpenAsync(context, key);
        if (session.Refusal is { Reason: RefusalReason.NotFound or RefusalReason.Unauthorized } other) return await TusFinalRequests.AnswerAsync(context, key, other);
        if (session.Refusal is { } unopened) return refusals.Tus(context, unopened);
        // A final upload is made of its partial uploads only (concatenation: 403, and neither it nor they change).
        if (ConcatenationRole.IsFinal(session.Handle!.Status.TusConcat))
            return refusals.Tus(context, new UploadRefusal(RefusalReason.ReadOnly,
                "This is a final upload (Upload-Concat: final): it is made of its partial uploads and takes no PATCH."));
        if (session.Handle.FinishedRefusal is { } finished) return refusals.Tus(context, finished);
        if (request.Headers.ContainsKey("Upload-Length"))
        {
            // creation-defer-length: the length comes with a PATCH once known, and the upload is re-tiered to it.
            if (!long.TryParse(request.Headers["Upload-Length"], NumberStyles.None, CultureInfo.InvariantCulture, out var declared))
                return refusals.Tus(context, Invalid("Upload-Length: a non-negative number of bytes is required."));
            if (await session.Handle.Grain.DeclareLength(declared) is { } undeclared) return refusals.Tus(context, undeclared);
            if (session.Handle.Status.LengthDeferred) (session, _, _) = await OpenAsync(context, key); // its terms as declared
            if (session.Refusal is { } reopened) return refusals.Tus(context, reopened);
        }

        var handle = session.Handle!;
        // Upload-Expires on every PATCH answer of an upload that will expire (MUST), a refused one too (409, 460, …).
        TusProtocol.SetExpires(context.Response, handle.Status, TusCreation.Uploads(context));
        using var connection = context.RequestServices.GetRequiredService<UploadConnections>().Open(context, handle.UploadId);
        connection.SessionHere = true;
        var written = await TusBodyWriter.WriteBodyAsync(context, handle, offset, connection);
        if (written.Refusal is not null) return refusals.Tus(context, written.Refusal);
        if (written.Offset < 0) return Results.Empty; // the client went away
        context.Response.Headers["Upload-Offset"] = written.Offset.ToString(CultureInfo.InvariantCulture);
        TusBodyWriter.SetExpiresAfterWrite(context, handle.Status, written.Offset);
        return Results.NoContent();
    }

    /// <summary>Termination: an unfinished upload is aborted (its staged bytes deleted); a completed one's stored file is deleted,
    /// which the upload URL (the uploader's token) authorises. Either way 204, and 404 or 410 after.</summary>
    private static async Task<IResult> DeleteAsync(HttpContext context, string key)
    {
        var (session, refusals, _) = await OpenAsync(context, key);
        if (session.Refusal is { Reason: RefusalReason.NotFound or RefusalReason.Unauthorized } other) return await TusFinalRequests.AnswerAsync(context, key, other);
        if (session.Refusal is { } unopened) return refusals.Tus(context, unopened);
        var handle = session.Handle!;
        if (handle.Status.State == UploadState.Completed)
        {
            if (!await handle.DeleteStoredFileAsync())
                return refusals.Tus(context, new UploadRefusal(RefusalReason.NotFound, $"Upload {handle.UploadId}'s file no longer exists."));
            return Results.NoContent();
        }
        if (handle.FinishedRefusal is { } finished) return refusals.Tus(context, finished);
        await handle.AbortAsync();
        return Results.NoContent();
    }

    private static async Task<((UploadSessionHandle? Handle, UploadRefusal? Refusal) Session, RefusalResults Refusals, UploadDataPlane Plane)> OpenAsync(
        HttpContext context, string key)
    {
        var plane = context.RequestServices.GetRequiredService<UploadDataPlane>();
        var (uploadId, token) = TusProtocol.ParseKey(key);
        return (await plane.OpenAsync(uploadId, token, requireToken: true), context.RequestServices.GetRequiredService<RefusalResults>(), plane);
    }

    private static bool IsOctetStream(HttpRequest request) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals(TusProtocol.OctetStream, StringComparison.OrdinalIgnoreCase);

    private static IResult UnsupportedMediaType(HttpContext context) =>
        Results.Problem($"Content-Type: {TusProtocol.OctetStream} is required.", statusCode: StatusCodes.Status415UnsupportedMediaType);

    private static IResult MethodNotAllowed(HttpContext context, string allowed)
    {
        context.Response.Headers.Allow = allowed;
        return Results.StatusCode(StatusCodes.Status405MethodNotAllowed);
    }

    private static UploadRefusal Invalid(string message) => new(RefusalReason.InvalidRequest, message);
}
