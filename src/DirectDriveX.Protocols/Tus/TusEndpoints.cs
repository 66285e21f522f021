using System.Globalization;
using DirectDriveX.Grains.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Protocols.Tus;

/// <summary>
/// tus 1.0.0 (core, creation, creation-with-upload, termination, checksum, checksum-trailer, expiration, concatenation) over this node's data
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

    /// <summary>The tus settings and the largest size admitted (<c>Uploads:MaxFileSizeBytes</c>, sent as Tus-Max-Size).</summary>
    public static (TusOptions Tus, long MaxSize) Settings(HttpContext context) =>
        (context.RequestServices.GetRequiredService<IOptions<TusOptions>>().Value,
         Uploads(context).MaxFileSizeBytes);

    private static UploadOptions Uploads(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<UploadOptions>>().Value;

    private static async Task<IResult> CollectionAsync(HttpContext context)
    {
        var (tus, maxSize) = Settings(context);
        if (TusProtocol.Prelude(context, tus, maxSize) is { } done) return done;
        if (!HttpMethods.IsPost(context.Request.Method)) return MethodNotAllowed(context, "OPTIONS, POST");
        return await CreateAsync(context);
    }

    private static async Task<IResult> UploadAsync(HttpContext context, string key)
    {
        var (tus, maxSize) = Settings(context);
        if (TusProtocol.Prelude(context, tus, maxSize) is { } done) return done;
        var method = context.Request.Method;
        if (HttpMethods.IsHead(method)) return await HeadAsync(context, key);
        if (HttpMethods.IsPatch(method)) return await PatchAsync(context, key);
        if (HttpMethods.IsDelete(method)) return await DeleteAsync(context, key);
        return MethodNotAllowed(context, "OPTIONS, HEAD, PATCH, DELETE");
    }

    /// <summary>POST on the collection: creation (a control call through <see cref="ITusSessionStarter"/>), or, with bytes or
    /// <c>Upload-Concat: final</c>, a session started on this node.</summary>
    public static async Task<IResult> CreateAsync(HttpContext context)
    {
        var (tus, maxSize) = Settings(context);
        var refusals = context.RequestServices.GetRequiredService<RefusalResults>();
        var request = context.Request;
        var (client, unauthenticated) = context.RequestServices.GetRequiredService<Clients.UploadClientIdentity>().Identify(request);
        if (unauthenticated is not null) return refusals.Tus(context, unauthenticated);
        var rawMetadata = request.Headers["Upload-Metadata"].ToString().Trim();
        if (TusProtocol.ParseMetadata(rawMetadata) is not { } metadata)
            return refusals.Tus(context, Invalid("Upload-Metadata: expected comma-separated \"key base64value\" pairs with unique, non-empty ASCII keys."));
        var fileName = metadata.GetValueOrDefault("filename") ?? metadata.GetValueOrDefault("name");
        var contentType = metadata.GetValueOrDefault("filetype") ?? metadata.GetValueOrDefault("type");
        var (concat, badConcat) = TusConcat.Parse(request.Headers[TusConcat.Header]);
        if (badConcat is not null) return refusals.Tus(context, badConcat);
        var kept = new KeptHeaders(rawMetadata.Length > 0 ? rawMetadata : null, concat is null ? null : request.Headers[TusConcat.Header].ToString());

        if (concat is { IsFinal: true })
            return await ConcatenateHereAsync(context, tus, maxSize, refusals, fileName, contentType, client!, concat, kept);

        var (length, deferred, badLength) = TusProtocol.CreationLength(request);
        if (badLength is not null) return refusals.Tus(context, badLength);
        if (length > maxSize)
            return refusals.Tus(context, new UploadRefusal(RefusalReason.FileTooLarge, $"Upload-Length: {length} bytes is over the maximum of {maxSize} bytes."));
        var upload = new UploadRequest(string.IsNullOrWhiteSpace(fileName) ? (concat is not null ? "partial" : "upload") : fileName, length,
            string.IsNullOrWhiteSpace(contentType) ? null : contentType, Client: client, TusMetadata: kept.Metadata, TusConcat: kept.Concat,
            DeferLength: deferred);

        // An empty upload is complete once created (tus-js-client sends no PATCH for it): stored by its session's start.
        if ((length > 0 || deferred) && TusProtocol.CarriesBody(request))
        {
            if (!IsOctetStream(request)) return UnsupportedMediaType(context);
            var plane = context.RequestServices.GetRequiredService<UploadDataPlane>();
            var (session, refused) = await plane.StartHereAsync(upload);
            if (refused is not null) return refusals.Tus(context, refused);
            using var connection = context.RequestServices.GetRequiredService<UploadConnections>().Open(context, session!.UploadId);
            connection.SessionHere = true;
            var written = await WriteBodyAsync(context, session!, 0, connection);
            context.Response.Headers.Location = TusProtocol.Location(context, tus, session!.UploadId, session.ResumeToken!);
            // The upload exists whatever became of its first bytes: the client continues from the offset given here.
            var offset = written.Offset >= 0 ? written.Offset : (await session.Grain.GetState()).CommittedOffset;
            context.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
            SetExpiresAfterWrite(context, session.Status, offset);
            return Results.StatusCode(StatusCodes.Status201Created);
        }

        var starter = context.RequestServices.GetRequiredService<ITusSessionStarter>();
        var started = await starter.StartAsync(upload, context.RequestAborted);
        if (started.Session is not { } s) return refusals.Tus(context, started.Refusal!);
        context.Response.Headers.Location = TusProtocol.Location(context, tus, s.UploadId, s.ResumeToken);
        if (started.Completion is null) // known at creation: MUST (an empty upload is complete, and does not expire)
            TusProtocol.SetExpires(context.Response, UploadState.Reserved, DateTimeOffset.UtcNow, Uploads(context));
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>The tus headers an upload keeps as they came, to answer them on HEAD.</summary>
    private sealed record KeptHeaders(string? Metadata, string? Concat);

    private static async Task<IResult> HeadAsync(HttpContext context, string key)
    {
        var (session, refusals, _) = await OpenAsync(context, key);
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
        TusProtocol.SetExpires(context.Response, status, Uploads(context));
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
        if (session.Refusal is { } unopened) return refusals.Tus(context, unopened);
        // A final upload is made of its partial uploads only (concatenation: 403, and neither it nor they change).
        if (TusConcat.IsFinalValue(session.Handle!.Status.TusConcat))
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
        using var connection = context.RequestServices.GetRequiredService<UploadConnections>().Open(context, handle.UploadId);
        connection.SessionHere = true;
        var written = await WriteBodyAsync(context, handle, offset, connection);
        if (written.Refusal is not null) return refusals.Tus(context, written.Refusal);
        if (written.Offset < 0) return Results.Empty; // the client went away
        context.Response.Headers["Upload-Offset"] = written.Offset.ToString(CultureInfo.InvariantCulture);
        SetExpiresAfterWrite(context, handle.Status, written.Offset);
        return Results.NoContent();
    }

    /// <summary>Upload-Expires after a request's bytes: from now when it committed some, else from the upload's last commit.</summary>
    private static void SetExpiresAfterWrite(HttpContext context, UploadStatus before, long offset)
    {
        var status = offset == before.Size ? before with { State = UploadState.Completed }
            : offset > before.CommittedOffset ? before with { State = UploadState.Receiving, CommittedOffset = offset, LastActivityAt = DateTimeOffset.UtcNow }
            : before;
        TusProtocol.SetExpires(context.Response, status, Uploads(context));
    }

    /// <summary>Termination: an unfinished upload is aborted (its staged bytes deleted); a completed one's stored file is deleted,
    /// which the upload URL (the uploader's token) authorises. Either way 204, and 404 or 410 after.</summary>
    private static async Task<IResult> DeleteAsync(HttpContext context, string key)
    {
        var (session, refusals, _) = await OpenAsync(context, key);
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

    /// <summary>
    /// Streams a request body into the upload at <paramref name="clientOffset"/>. Under <c>Upload-Checksum</c>, as a header or as
    /// an announced trailer (<see cref="TusBodyChecksum"/>), the writer holds its commits: the bytes go to the staging file as
    /// they arrive (one pooled buffer, whatever the body's length), and only when the whole body passes the check are they
    /// committed; otherwise none of them is (460, or 400 for a trailer that is missing or names an unsupported algorithm).
    /// Without a checksum, what arrived before a dropped connection is committed, so the client resumes from there. Offset -1:
    /// the client went away.
    /// </summary>
    private static async Task<(long Offset, UploadRefusal? Refusal)> WriteBodyAsync(HttpContext context, UploadSessionHandle session, long clientOffset,
        UploadConnections.Connection connection)
    {
        if (connection.Notice is { } early)
        {
            await context.RequestServices.GetRequiredService<UploadConnections>().LetGoAsync(connection);
            return (-1, early.Refusal(session.Status.CommittedOffset));
        }
        var (check, malformed) = TusBodyChecksum.For(context.Request, trustUpstream: true);
        if (malformed is not null) return (-1, malformed);
        using var _check = check;
        StagingWriter writer;
        try
        {
            writer = await session.OpenWriterAsync(onCommitted: null);
        }
        catch (UploadRefusedException e)
        {
            return (-1, e.Refusal);
        }
        await using var _ = writer;
        if (clientOffset != writer.CommittedOffset)
            return (-1, new UploadRefusal(RefusalReason.OffsetMismatch,
                $"Upload-Offset {clientOffset}; the upload continues at {writer.CommittedOffset}.", ExpectedOffset: writer.CommittedOffset));

        var size = session.Status.Size;
        if (check is not null) writer.HoldCommits();
        var body = check?.Wrap(context.Request.Body) ?? context.Request.Body;
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, connection.ReconnectRequested);
        try
        {
            await writer.CopyFromAsync(body, size - writer.CommittedOffset, reading.Token);
            if (check?.Verify(context.Request) is { } failed)
            {
                await writer.DiscardAsync();
                return (-1, failed with
                {
                    Message = $"{failed.Message} Nothing of the body was kept; the upload continues at {writer.CommittedOffset}.",
                    ExpectedOffset = writer.CommittedOffset,
                });
            }
            if (writer.ReceivedOffset < size) return (await writer.CompleteAsync(), null);
            var stored = await session.CompleteAsync(writer, context.RequestAborted);
            return (stored.File.Size, null);
        }
        catch (UploadRefusedException e)
        {
            if (check is not null) await writer.DiscardAsync();
            return (-1, e.Refusal);
        }
        catch (OperationCanceledException) when (connection.Notice is { } notice && !context.RequestAborted.IsCancellationRequested)
        {
            // The node or gateway is leaving: what arrived is committed (none of it under a checksum, which covers the whole
            // body), and the 503 says where the upload stands; the client's HEAD finds it on its next node.
            long committed;
            if (check is not null) { await writer.DiscardAsync(); committed = writer.CommittedOffset; }
            else try { committed = await writer.CompleteAsync(); } catch (UploadRefusedException) { committed = writer.CommittedOffset; }
            context.Response.Headers.Connection = "close";
            context.Response.Headers["Upload-Offset"] = committed.ToString(CultureInfo.InvariantCulture);
            return (-1, notice.Refusal(committed));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            if (check is not null) await writer.DiscardAsync();
            else try { await writer.CompleteAsync(); } catch (UploadRefusedException) { }
            return (-1, null);
        }
    }

    /// <summary>
    /// <c>Upload-Concat: final;url url …</c>: the partial uploads (each its own session, with its own tier, possibly stored by
    /// other nodes: the file store is shared) must be complete; a new session of their total size starts on this node,
    /// reserving its tier like any upload, and copies their stored bytes in order through one writer, which hashes them;
    /// completion stores one ordinary file with its SHA-256.
    /// </summary>
    private static async Task<IResult> ConcatenateHereAsync(HttpContext context, TusOptions tus, long maxSize, RefusalResults refusals,
        string? fileName, string? contentType, UploadClient client, TusConcat concat, KeptHeaders kept)
    {
        var plane = context.RequestServices.GetRequiredService<UploadDataPlane>();
        var parts = new List<UploadStatus>();
        foreach (var url in concat.PartialUrls)
        {
            var (uploadId, token) = TusProtocol.ParseKey(TusProtocol.KeyOfUrl(url) ?? "");
            var (part, refused) = await plane.OpenAsync(uploadId, token, requireToken: true);
            if (refused is not null) return refusals.Tus(context, refused with { Message = $"Partial upload {url}: {refused.Message}" });
            if (part!.Status.TusConcat != TusConcat.Partial)
                return refusals.Tus(context, Invalid($"Upload-Concat: {url} is not a partial upload (one created with Upload-Concat: partial)."));
            if (part.Status.State != UploadState.Completed || part.Status.FileId is null)
                return refusals.Tus(context, Invalid($"Upload-Concat: partial upload {url} is not complete."));
            parts.Add(part.Status);
        }
        var size = parts.Sum(p => p.Size);
        if (size > maxSize)
            return refusals.Tus(context, new UploadRefusal(RefusalReason.FileTooLarge, $"The partial uploads add up to {size} bytes, over the maximum of {maxSize}."));

        var (session, refusal) = await plane.StartHereAsync(new UploadRequest(
            string.IsNullOrWhiteSpace(fileName) ? "upload" : fileName, size, string.IsNullOrWhiteSpace(contentType) ? null : contentType,
            Client: client, TusMetadata: kept.Metadata, TusConcat: kept.Concat));
        if (refusal is not null) return refusals.Tus(context, refusal);
        if (session!.StoredAtStart is not null) // empty partial uploads: an empty file, stored as it started
        {
            context.Response.Headers.Location = TusProtocol.Location(context, tus, session.UploadId, session.ResumeToken!);
            return Results.StatusCode(StatusCodes.Status201Created);
        }
        try
        {
            await using (var writer = await session.OpenWriterAsync(onCommitted: null))
            {
                foreach (var part in parts)
                {
                    await using var stored = await plane.OpenStoredFileAsync(part.FileId!, part.Size, context.RequestAborted) ?? throw new UploadRefusedException(
                        new UploadRefusal(RefusalReason.StorageFailure, $"The stored bytes of partial upload {part.UploadId} are missing."));
                    var copied = await writer.CopyFromAsync(stored, part.Size, context.RequestAborted);
                    if (copied != part.Size)
                        throw new UploadRefusedException(new UploadRefusal(RefusalReason.StorageFailure,
                            $"Partial upload {part.UploadId} holds {copied} bytes, not {part.Size}."));
                }
                await session.CompleteAsync(writer, context.RequestAborted);
            }
        }
        catch (UploadRefusedException e)
        {
            await session!.AbortAsync();
            return refusals.Tus(context, e.Refusal);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            await session!.AbortAsync();
            return Results.Empty;
        }
        context.Response.Headers.Location = TusProtocol.Location(context, tus, session.UploadId, session.ResumeToken!);
        return Results.StatusCode(StatusCodes.Status201Created);
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
