using DirectDriveX.Http.Clients;
using System.Text.Json;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Gateway.Uploads;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Gateway.Protocol;

/// <summary>
/// The reference DirectDriveX web client's first call, so it can point at this cluster unchanged: initiate routes and
/// reserves like any other start, and names the legacy upload socket (served by the node, reached through the gateway).
/// </summary>
public static class LegacyInitiateEndpoint
{
    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEndpointRouteBuilder MapLegacyInitiate(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/upload/initiate", InitiateAsync);
        return app;
    }

    private static async Task<IResult> InitiateAsync(HttpContext context, UploadStarter starter, RefusalResults refusals, IOptions<GatewayOptions> options,
        UploadClientIdentity identity)
    {
        var (client, unauthenticated) = identity.Identify(context.Request);
        if (unauthenticated is not null) return refusals.RefusedStart(context, unauthenticated);
        LegacyInitiateRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<LegacyInitiateRequest>(context.Request.Body, SnakeCase, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return refusals.InvalidStart(context, $"body: not valid JSON ({e.Message}).");
        }
        if (body is null || string.IsNullOrWhiteSpace(body.Filename)) return refusals.InvalidStart(context, "filename: must not be empty.");
        if (body.Size is not >= 0) return refusals.InvalidStart(context, "size: must be a number of bytes, 0 or more.");
        var extension = LegacyFileNames.Extension(body.Filename);
        if (extension.Length > 0 && options.Value.BlockedExtensions.Contains(extension, StringComparer.OrdinalIgnoreCase))
            return refusals.InvalidStart(context, $"filename: files of type {extension} are not accepted.");
        if (body.ContentType is { } type && options.Value.BlockedContentTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
            return refusals.InvalidStart(context, $"content_type: {type} is not accepted.");

        var started = await starter.StartAsync(new UploadRequest(body.Filename, body.Size.Value, body.ContentType, Client: client), context.RequestAborted);
        if (started.Session is not { } session) return refusals.Problem(context, started.Refusal!);
        var stored = session.FileName ?? body.Filename; // as the session stored it
        return Results.Json(new LegacyInitiateResponse(session.UploadId, $"/ws_api/upload_parallel/{session.UploadId}",
            stored, LegacyFileNames.SafeForDisplay(stored)), SnakeCase);
    }
}
