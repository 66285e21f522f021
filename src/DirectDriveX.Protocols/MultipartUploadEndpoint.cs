using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using Microsoft.Net.Http.Headers;
using DirectDriveX.Http;
using DirectDriveX.Http.Clients;

namespace DirectDriveX.Protocols;

/// <summary>
/// POST /api/v1/upload: a whole file in one multipart/form-data request (<c>curl -F file=@x</c>), streamed through the
/// node's data plane as it arrives: never held whole in memory. The session is started on this node (the gateway forwarded
/// the request to the node with the most headroom) and reserves like any other. The file's size is <c>?size=</c> or a <c>size</c> field before the file when given, else derived from
/// Content-Length with the file as the last part.
/// </summary>
public static class MultipartUploadEndpoint
{
    public static IEndpointRouteBuilder MapMultipartUpload(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/upload", UploadAsync).DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute()); // bounded by the declared size instead
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext context, UploadDataPlane plane, RefusalResults refusals, UploadMetrics metrics,
        UploadClientIdentity identity, UploadConnections connections)
    {
        var (client, unauthenticated) = identity.Identify(context.Request);
        if (unauthenticated is not null) return refusals.RefusedStart(context, unauthenticated);
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
            return refusals.InvalidStart(context, "Content-Type: multipart/form-data with a boundary is required.");

        var reader = new MultipartFileReader(request.BodyReader, boundary);
        var part = await reader.ReadToFileAsync(cancellationToken);
        if (part is null) return refusals.InvalidStart(context, "file: the form has no file part.");

        long size;
        var declared = request.Query["size"].FirstOrDefault() ?? part.Fields.GetValueOrDefault("size");
        if (declared is not null)
        {
            if (!long.TryParse(declared, out size) || size < 0) return refusals.InvalidStart(context, "size: must be a number of bytes, 0 or more.");
        }
        else if (request.ContentLength is { } length)
        {
            size = length - part.Offset - reader.ClosingDelimiterLength;
            if (size < 0) return refusals.InvalidStart(context, "file: the file part ends before the form's Content-Length says it does.");
        }
        else
        {
            return Results.Problem("Send Content-Length, or the file's size as ?size= or a size field before the file.",
                statusCode: StatusCodes.Status411LengthRequired, title: "The file's length is needed before its bytes.");
        }

        // An empty file is stored as its session starts: its (empty) part must be checked first.
        if (size == 0 && !await reader.DelimiterFollowsAsync(cancellationToken))
            return refusals.InvalidStart(context, "size: the file part is not empty; send the file as the last part, or its size as ?size=.");
        var (session, refused) = await plane.StartHereAsync(
            new UploadRequest(part.FileName, size, part.ContentType, part.Fields.GetValueOrDefault("sha256"), client, BodyFollows: true));
        if (refused is not null)
        {
            metrics.UploadRefused(refused.Reason);
            return refusals.Problem(context, refused);
        }

        if (session!.StoredAtStart is { } empty) return Results.Created($"/api/v1/files/{empty.File.FileId}", FileResponse.From(empty.File, empty.DeleteToken));
        using var connection = connections.Open(context, session.UploadId);
        connection.SessionHere = true;
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.ReconnectRequested);
        try
        {
            await using var writer = await session.OpenWriterAsync(onCommitted: null);
            try
            {
                await reader.CopyFileAsync(writer.WriteAsync, writer.PauseAsync, size, reading.Token);
            }
            catch (OperationCanceledException) when (connection.Notice is { } notice && !cancellationToken.IsCancellationRequested)
            {
                // The node or gateway is leaving mid-file: what arrived is committed and the upload kept; the answer names
                // it, its resume token and the committed offset, so the client can send the rest (PUT chunks or WebSocket).
                var committed = await writer.KeepWhatArrivedAsync();
                await session.Grain.GetState(); // the answer names the upload: recorded first, should no commit have (BodyFollows)
                context.Response.Headers.Connection = "close";
                return refusals.Problem(context, notice.Refusal(committed), new Dictionary<string, object?>
                {
                    ["uploadId"] = session.UploadId,
                    ["resumeToken"] = session.ResumeToken,
                    ["size"] = size,
                    ["statusUrl"] = $"/api/v1/uploads/{session.UploadId}",
                });
            }
            if (!await reader.DelimiterFollowsAsync(cancellationToken))
                throw new UploadRefusedException(new UploadRefusal(RefusalReason.InvalidRequest,
                    $"size: the file part is not {size} bytes long; send the file as the last part, or its size as ?size=."));
            var stored = await session.CompleteAsync(writer, cancellationToken);
            return Results.Created($"/api/v1/files/{stored.File.FileId}", FileResponse.From(stored.File, stored.DeleteToken));
        }
        catch (UploadRefusedException e)
        {
            await session!.AbortAsync();
            return refusals.Problem(context, e.Refusal);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            await session!.AbortAsync(); // the client went away mid-file: nothing to resume in a one-request upload
            return Results.Empty;
        }
    }
}
