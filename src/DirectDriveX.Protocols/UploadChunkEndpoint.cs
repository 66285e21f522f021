using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;
using DirectDriveX.Http;

namespace DirectDriveX.Protocols;

/// <summary>
/// PUT /api/v1/uploads/{id}/chunks?offset=N with an octet-stream body of any length up to the rest of the file, for
/// clients without WebSockets. The body goes through the same writer as WebSocket frames; when it ends the upload, the
/// upload is completed. An empty body at the end of a completed upload (an empty file) answers its stored file. Served by
/// the node that holds the session.
/// </summary>
public static class UploadChunkEndpoint
{
    public static IEndpointRouteBuilder MapUploadChunks(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/v1/uploads/{uploadId}/chunks", PutAsync)
            .WithMetadata(new DisableRequestSizeLimitAttribute()); // bounded by the rest of the declared size
        return app;
    }

    private static async Task<IResult> PutAsync(HttpContext context, string uploadId, [FromQuery] long? offset, UploadDataPlane plane, RefusalResults refusals,
        UploadConnections connections)
    {
        if (offset is not >= 0) return refusals.Invalid(context, "offset: a non-negative query parameter is required.");
        using var connection = connections.Open(context, uploadId);
        var (session, refusal) = await plane.OpenAsync(uploadId, UploadToken.Of(context.Request), requireToken: true);
        // Nothing more at the end of a completed upload (an empty file, complete once created; a retry whose answer was
        // lost): the stored file, again.
        if (refusal is null && session!.Status.State == UploadState.Completed && offset == session.Status.Size && context.Request.ContentLength == 0)
            return await session.StoredFileAsync() is { } stored ? Results.Ok(FileResponse.From(stored))
                : refusals.Problem(context, new UploadRefusal(RefusalReason.NotFound, $"Upload {uploadId}'s file is no longer stored."));
        refusal ??= session!.FinishedRefusal;
        if (refusal is not null) return refusals.Problem(context, refusal);
        connection.SessionHere = true;
        if (connection.Notice is { } early)
        {
            await connections.LetGoAsync(connection);
            return Reconnect(context, refusals, early, session!.Status.CommittedOffset);
        }

        StagingWriter writer;
        try
        {
            writer = await session!.OpenWriterAsync(onCommitted: null);
        }
        catch (UploadRefusedException e)
        {
            return refusals.Problem(context, e.Refusal);
        }
        await using var _ = writer;
        var status = session.Status;
        if (offset != writer.CommittedOffset)
            return refusals.Problem(context, new UploadRefusal(RefusalReason.OffsetMismatch,
                $"Chunk at offset {offset}; the upload continues at {writer.CommittedOffset}.", ExpectedOffset: writer.CommittedOffset));
        using var body = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, connection.ReconnectRequested);
        try
        {
            await writer.CopyFromAsync(context.Request.Body, status.Size - writer.CommittedOffset, body.Token);
            if (writer.ReceivedOffset < status.Size)
                return Results.Ok(UploadStatusResponse.From(status with { CommittedOffset = await writer.CompleteAsync(), State = UploadState.Receiving }));
            var stored = await session.CompleteAsync(writer, context.RequestAborted);
            return Results.Ok(FileResponse.From(stored.File, stored.DeleteToken));
        }
        catch (UploadRefusedException e)
        {
            return refusals.Problem(context, e.Refusal);
        }
        catch (OperationCanceledException) when (connection.Notice is { } notice && !context.RequestAborted.IsCancellationRequested)
        {
            // The node or gateway is leaving: what arrived is committed, and the answer says where to continue (elsewhere).
            return Reconnect(context, refusals, notice, await writer.KeepWhatArrivedAsync());
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client went away mid-body: commit what arrived, so a retry continues from there.
            await writer.KeepWhatArrivedAsync();
            return Results.Empty;
        }
    }

    /// <summary>503 with the committed offset and Retry-After, on a connection that is then closed: the client continues from
    /// <c>expectedOffset</c> with a new request, which the gateway routes to wherever the session lives next.</summary>
    internal static IResult Reconnect(HttpContext context, RefusalResults refusals, ReconnectNotice notice, long committed)
    {
        context.Response.Headers.Connection = "close";
        return refusals.Problem(context, notice.Refusal(committed));
    }
}
