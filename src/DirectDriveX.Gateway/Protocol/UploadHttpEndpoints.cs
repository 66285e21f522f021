using DirectDriveX.Http.Clients;
using DirectDriveX.Gateway.Uploads;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;

namespace DirectDriveX.Gateway.Protocol;

/// <summary>The control side of the HTTP upload protocol: create (routed to the node with the most headroom), status, abort.
/// The chunks themselves (PUT) are served by the node holding the session.</summary>
public static class UploadHttpEndpoints
{
    public static IEndpointRouteBuilder MapUploadHttpEndpoints(this IEndpointRouteBuilder app)
    {
        var uploads = app.MapGroup("/api/v1/uploads");
        uploads.MapPost("", CreateAsync);
        uploads.MapGet("{uploadId}", StatusAsync);
        uploads.MapDelete("{uploadId}", AbortAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, UploadStarter starter, RefusalResults refusals, UploadClientIdentity identity, CancellationToken cancellationToken)
    {
        var (client, unauthenticated) = identity.Identify(context.Request);
        if (unauthenticated is not null) return refusals.RefusedStart(context, unauthenticated);
        var (body, unreadable) = await CreateUploadRequestReader.ReadAsync(context.Request, cancellationToken);
        if (unreadable is not null) return refusals.RefusedStart(context, unreadable);
        if (string.IsNullOrWhiteSpace(body!.FileName)) return refusals.InvalidStart(context, "fileName: must not be empty.");
        if (body.Size is not >= 0) return refusals.InvalidStart(context, "size: must be a number of bytes, 0 or more.");

        var result = await starter.StartAsync(new UploadRequest(body.FileName, body.Size.Value, body.ContentType, body.Sha256, client), cancellationToken);
        if (result.Session is not { } s) return refusals.Problem(context, result.Refusal!);

        var scheme = context.Request.Scheme == "https" ? "wss" : "ws";
        var webSocketUrl = $"{scheme}://{context.Request.Host}/ws/upload/{s.UploadId}?token={Uri.EscapeDataString(s.ResumeToken)}";
        var response = new CreateUploadResponse(s.UploadId, s.ResumeToken, s.NodeName, s.Size, s.ReservedBytes, s.ChunkSize,
            s.MaxChunksInFlight, webSocketUrl, $"/api/v1/uploads/{s.UploadId}",
            result.Completion?.File is { } stored ? FileResponse.From(stored, result.Completion.DeleteToken) : null);
        return Results.Created($"/api/v1/uploads/{s.UploadId}", response);
    }

    private static async Task<IResult> StatusAsync(HttpContext context, string uploadId, UploadAccess access, RefusalResults refusals)
    {
        var (_, status, refusal) = await access.OpenAsync(uploadId, UploadToken.Of(context.Request));
        return refusal is null ? Results.Ok(UploadStatusResponse.From(status!)) : refusals.Problem(context, refusal);
    }

    /// <summary>An unfinished upload (its token) is aborted: 204, its staged bytes deleted. A completed one's stored file is
    /// deleted as <c>DELETE /api/v1/files/{id}</c> deletes it, with the same authorisation besides the token (its uploader's
    /// API key, or the deleteToken its completion gave): 204, and 404 for the file from then on; 401/403 without it.</summary>
    private static async Task<IResult> AbortAsync(HttpContext context, string uploadId, UploadAccess access, RefusalResults refusals,
        IClusterClient client, UploadClientIdentity identity)
    {
        var (grain, status, refusal) = await access.OpenAsync(uploadId, UploadToken.Of(context.Request));
        if (refusal is not null) return refusals.Problem(context, refusal);
        if (status!.State != UploadState.Completed)
        {
            await grain!.Abort();
            status = await grain.GetState(); // it may have completed meanwhile: then its file is what a delete is about
        }
        return status.State == UploadState.Completed
            ? await Downloads.FileEndpoints.DeleteAsync(context, status.FileId!, client, refusals, identity)
            : Results.NoContent();
    }
}
