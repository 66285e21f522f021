using DirectDriveX.Gateway.Uploads;
using DirectDriveX.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;

namespace DirectDriveX.Gateway.Protocol;

/// <summary>The HTTP side of the upload protocol: create, status, abort, and chunks for clients without WebSockets.</summary>
public static class UploadHttpEndpoints
{
    public static IEndpointRouteBuilder MapUploadHttpEndpoints(this IEndpointRouteBuilder app)
    {
        var uploads = app.MapGroup("/api/v1/uploads");
        uploads.MapPost("", CreateAsync);
        uploads.MapGet("{uploadId}", StatusAsync);
        uploads.MapDelete("{uploadId}", AbortAsync);
        uploads.MapPut("{uploadId}/chunks", PutChunksAsync)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute()); // bounded by the rest of the declared size
        return app;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, CreateUploadRequest? body, UploadStarter starter, RefusalResults refusals, CancellationToken cancellationToken)
    {
        if (body is null) return refusals.InvalidStart(context, "body: a JSON object {fileName, size, contentType?, sha256?} is required.");
        if (string.IsNullOrWhiteSpace(body.FileName)) return refusals.InvalidStart(context, "fileName: must not be empty.");
        if (body.Size is not > 0) return refusals.InvalidStart(context, "size: must be a positive number of bytes.");

        var result = await starter.StartAsync(new UploadRequest(body.FileName, body.Size.Value, body.ContentType, body.Sha256), cancellationToken);
        if (result.Session is not { } s) return refusals.Problem(context, result.Refusal!);

        var scheme = context.Request.Scheme == "https" ? "wss" : "ws";
        var webSocketUrl = $"{scheme}://{context.Request.Host}/ws/upload/{s.UploadId}?token={Uri.EscapeDataString(s.ResumeToken)}";
        var response = new CreateUploadResponse(s.UploadId, s.ResumeToken, s.NodeName, s.Size, s.ReservedBytes, s.ChunkSize,
            s.MaxChunksInFlight, webSocketUrl, $"/api/v1/uploads/{s.UploadId}");
        return Results.Created($"/api/v1/uploads/{s.UploadId}", response);
    }

    private static async Task<IResult> StatusAsync(HttpContext context, string uploadId, UploadAccess access, RefusalResults refusals)
    {
        var (_, status, refusal) = await access.OpenAsync(uploadId, UploadAccess.TokenOf(context.Request));
        return refusal is null ? Results.Ok(UploadStatusResponse.From(status!)) : refusals.Problem(context, refusal);
    }

    private static async Task<IResult> AbortAsync(HttpContext context, string uploadId, UploadAccess access, RefusalResults refusals)
    {
        var (grain, _, refusal) = await access.OpenAsync(uploadId, UploadAccess.TokenOf(context.Request));
        if (refusal is not null) return refusals.Problem(context, refusal);
        await grain!.Abort();
        return Results.NoContent();
    }

    /// <summary>PUT /api/v1/uploads/{id}/chunks?offset=N with an octet-stream body of any length up to the rest of the file.
    /// The body goes through the same pipeline as WebSocket frames; when it ends the upload, the upload is completed.</summary>
    private static async Task<IResult> PutChunksAsync(
        HttpContext context, string uploadId, [FromQuery] long? offset, UploadAccess access, RefusalResults refusals)
    {
        if (offset is not >= 0) return refusals.Invalid(context, "offset: a non-negative query parameter is required.");
        var (grain, status, refusal) = await access.OpenAsync(uploadId, UploadAccess.TokenOf(context.Request));
        if (refusal is not null) return refusals.Problem(context, refusal);
        if (status!.State.IsFinal())
            return refusals.Problem(context, status.Failure ?? new UploadRefusal(RefusalReason.InvalidState, $"Upload {uploadId} is {status.State}."));
        if (offset != status.CommittedOffset)
            return refusals.Problem(context, new UploadRefusal(RefusalReason.OffsetMismatch,
                $"Chunk at offset {offset}; the upload continues at {status.CommittedOffset}.", ExpectedOffset: status.CommittedOffset));

        await using var writer = new UploadWriter(grain!, status.ChunkSize, (int)Math.Max(1, status.ReservedBytes / status.ChunkSize), status.CommittedOffset);
        try
        {
            await writer.CopyFromAsync(context.Request.Body, status.Size - status.CommittedOffset, context.RequestAborted);
            if (writer.ReceivedOffset < status.Size)
                return Results.Ok(UploadStatusResponse.From(status with { CommittedOffset = await writer.CompleteAsync(), State = UploadState.Receiving }));
            var file = await UploadFinisher.FinishAsync(grain!, writer);
            return Results.Ok(FileResponse.From(file));
        }
        catch (UploadRefusedException e)
        {
            return refusals.Problem(context, e.Refusal);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client went away mid-body: commit what arrived, so a retry continues from there.
            try { await writer.CompleteAsync(); } catch (UploadRefusedException) { }
            return Results.Empty;
        }
    }
}
