using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http.Clients;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Http.Tus;

/// <summary>A tus creation as read from its request: the session it asks for, and its <c>Upload-Concat</c> when it has one.</summary>
public sealed record TusCreationRequest(UploadRequest Upload, TusConcat? Concat);

/// <summary>
/// tus creation (POST on the collection), the part every process that takes one shares: reading the request into an
/// <see cref="UploadRequest"/> (who the client is, <c>Upload-Metadata</c>, <c>Upload-Concat</c>, <c>Upload-Length</c> or
/// <c>Upload-Defer-Length</c>), and a creation without bytes, which is a control call (<see cref="ITusSessionStarter"/>: on
/// the gateway routed to the node with the most headroom, on a node started there). A creation with bytes or a final
/// concatenation starts its session on the node that takes the bytes (the node's tus endpoints).
/// </summary>
public static class TusCreation
{
    /// <summary>The tus settings and the largest size admitted (<c>Uploads:MaxFileSizeBytes</c>, sent as Tus-Max-Size).</summary>
    public static (TusOptions Tus, long MaxSize) Settings(HttpContext context) =>
        (context.RequestServices.GetRequiredService<IOptions<TusOptions>>().Value, Uploads(context).MaxFileSizeBytes);

    public static UploadOptions Uploads(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<UploadOptions>>().Value;

    /// <summary>The creation a request asks for, or the refusal that answers it.</summary>
    public static (TusCreationRequest? Creation, UploadRefusal? Refusal) Read(HttpContext context)
    {
        var (_, maxSize) = Settings(context);
        var request = context.Request;
        var (client, unauthenticated) = context.RequestServices.GetRequiredService<UploadClientIdentity>().Identify(request);
        if (unauthenticated is not null) return (null, unauthenticated);
        var rawMetadata = request.Headers["Upload-Metadata"].ToString().Trim();
        if (TusProtocol.ParseMetadata(rawMetadata) is not { } metadata)
            return (null, Invalid("Upload-Metadata: expected comma-separated \"key base64value\" pairs with unique, non-empty ASCII keys."));
        var fileName = metadata.GetValueOrDefault("filename") ?? metadata.GetValueOrDefault("name");
        var contentType = metadata.GetValueOrDefault("filetype") ?? metadata.GetValueOrDefault("type");
        contentType = string.IsNullOrWhiteSpace(contentType) ? null : contentType;
        var (concat, badConcat) = TusConcat.Parse(request.Headers[TusConcat.Header]);
        if (badConcat is not null) return (null, badConcat);
        // The tus headers an upload keeps as they came, to answer them on HEAD.
        var keptMetadata = rawMetadata.Length > 0 ? rawMetadata : null;
        var keptConcat = concat is null ? null : request.Headers[TusConcat.Header].ToString();

        if (concat is { IsFinal: true })
            return (new TusCreationRequest(new UploadRequest(string.IsNullOrWhiteSpace(fileName) ? "upload" : fileName, 0, contentType,
                Client: client, TusMetadata: keptMetadata, TusConcat: keptConcat), concat), null);

        var (length, deferred, badLength) = TusProtocol.CreationLength(request);
        if (badLength is not null) return (null, badLength);
        if (length > maxSize)
            return (null, new UploadRefusal(RefusalReason.FileTooLarge, $"Upload-Length: {length} bytes is over the maximum of {maxSize} bytes."));
        return (new TusCreationRequest(new UploadRequest(string.IsNullOrWhiteSpace(fileName) ? (concat is not null ? "partial" : "upload") : fileName,
            length, contentType, Client: client, TusMetadata: keptMetadata, TusConcat: keptConcat, DeferLength: deferred), concat), null);
    }

    /// <summary>A creation without bytes: the session is started by a control call, and the answer is 201 with its URL.</summary>
    public static async Task<IResult> StartAsync(HttpContext context, UploadRequest upload)
    {
        var refusals = context.RequestServices.GetRequiredService<RefusalResults>();
        var started = await context.RequestServices.GetRequiredService<ITusSessionStarter>().StartAsync(upload, context.RequestAborted);
        if (started.Session is not { } s) return refusals.Tus(context, started.Refusal!);
        context.Response.Headers.Location = TusProtocol.Location(context, Settings(context).Tus, s.UploadId, s.ResumeToken);
        if (started.Completion is null) // known at creation: MUST (an empty upload is complete, and does not expire)
            TusProtocol.SetExpires(context.Response, UploadState.Reserved, DateTimeOffset.UtcNow, Uploads(context));
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>The gateway's creation: one without bytes that is not a final concatenation (those it forwards to a node).</summary>
    public static async Task<IResult> CreateAsync(HttpContext context)
    {
        var (creation, refused) = Read(context);
        return refused is not null
            ? context.RequestServices.GetRequiredService<RefusalResults>().Tus(context, refused)
            : await StartAsync(context, creation!.Upload);
    }

    private static UploadRefusal Invalid(string message) => new(RefusalReason.InvalidRequest, message);
}
