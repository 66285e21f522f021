using DirectDriveX.Storage;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DirectDriveX.Gateway.Downloads;

/// <summary>Stored files: the record (a grain call) and the bytes, streamed straight from the store by this process (a file
/// with a small buffer, or ranged GETs from object storage) with ASP.NET's range processing (Content-Length, Range, ETag,
/// SHA-256 headers), or, with <c>FileStore:DownloadLinkLifetime</c> on an object store, a redirect to a link the store
/// serves itself; and their deletion by their uploader (<see cref="FileLifecycle"/>). A file deleted, or past
/// <c>Files:Retention</c>, is 404 on every route: its grain answers no record.</summary>
public static class FileEndpoints
{
    public static IEndpointRouteBuilder MapFileEndpoints(this IEndpointRouteBuilder app)
    {
        string[] getOrHead = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/api/v1/files/{fileId}", getOrHead, (HttpContext c, string fileId, IClusterClient client, IUploadStore store, RefusalResults r, ILoggerFactory l) => ServeAsync(c, fileId, client, store, r, l, attachment: false));
        app.MapMethods("/api/v1/download/stream/{fileId}", getOrHead, (HttpContext c, string fileId, IClusterClient client, IUploadStore store, RefusalResults r, ILoggerFactory l) => ServeAsync(c, fileId, client, store, r, l, attachment: true));
        app.MapGet("/api/v1/files/{fileId}/meta", async (HttpContext c, string fileId, IClusterClient client, RefusalResults r) =>
            await RecordOf(client, fileId) is { } record ? Results.Ok(FileResponse.From(record)) : r.Problem(c, NotFound(fileId)));
        app.MapDelete("/api/v1/files/{fileId}", DeleteAsync);
        return app;
    }

    /// <summary>The header (or query parameter <c>deleteToken</c>) that carries a keyless uploader's delete token.</summary>
    public const string DeleteTokenHeader = "X-Delete-Token";

    /// <summary>DELETE: 204 once the bytes and the record are gone; 404 for no such file (or one already deleted or expired);
    /// 401 with neither a key nor a token, 403 with a key or token that is not the uploader's. A download in progress from the
    /// file system finishes (its open file outlives the deletion); from object storage it is cut off at its next ranged read.</summary>
    public static async Task<IResult> DeleteAsync(HttpContext context, string fileId, IClusterClient client, RefusalResults refusals,
        DirectDriveX.Http.Clients.UploadClientIdentity identity)
    {
        if (await RecordOf(client, fileId) is not { } record) return refusals.Problem(context, NotFound(fileId));
        var (keyClient, invalidKey) = identity.IdentifyKey(context.Request);
        if (invalidKey is not null) return refusals.Problem(context, invalidKey);
        var token = context.Request.Headers[DeleteTokenHeader].ToString() is { Length: > 0 } header ? header : context.Request.Query["deleteToken"].ToString();
        if (FileLifecycle.AuthorizeDelete(record, keyClient?.ClientId, token) is { } refused) return refusals.Problem(context, refused);
        return await client.ReferenceTo<IStoredFileGrain>(fileId).Delete() ? Results.NoContent() : refusals.Problem(context, NotFound(fileId));
    }

    private static async Task<IResult> ServeAsync(HttpContext context, string fileId, IClusterClient client, IUploadStore store, RefusalResults refusals,
        ILoggerFactory loggers, bool attachment)
    {
        if (await RecordOf(client, fileId) is not { } record) return refusals.Problem(context, NotFound(fileId));
        var disposition = ContentDisposition(attachment, record.FileName);
        var linkLifetime = context.RequestServices.GetRequiredService<IOptions<FileStoreOptions>>().Value.DownloadLinkLifetime;
        if (record.Size > 0 && linkLifetime is { } validFor
            && await store.LinkToStoredAsync(new StoredFileLink(fileId, record.ContentType, disposition, validFor), context.RequestAborted) is { } link)
        {
            context.Response.Headers.CacheControl = "no-store"; // the link expires; ask again for a fresh one
            DigestHeaders(context.Response, record);
            return Results.Redirect(link.AbsoluteUri);
        }
        if (await store.OpenStoredAsync(fileId, record.Size, context.RequestAborted) is not { } opened)
            return refusals.Problem(context, NotFound(fileId));
        var stream = new GoneWhileServedStream(opened, fileId, loggers.CreateLogger("DirectDriveX.Gateway.Downloads"));
        DigestHeaders(context.Response, record);
        context.Response.Headers.ContentDisposition = disposition;
        IgnoreForeignRangeUnits(context.Request);
        // HEAD: the same headers (ranges, validators, length), no body.
        return Results.File(stream, record.ContentType, fileDownloadName: null, record.CreatedAt,
            new EntityTagHeaderValue($"\"{record.Sha256}\""), enableRangeProcessing: true);
    }

    /// <summary>The file's SHA-256, as the upload declared and the store verified: <c>X-Content-SHA256</c> (hex) and RFC 9530's
    /// <c>Repr-Digest</c>.</summary>
    private static void DigestHeaders(HttpResponse response, StoredFileRecord record)
    {
        response.Headers["X-Content-SHA256"] = record.Sha256;
        response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(record.Sha256))}:";
    }

    /// <summary>RFC 6266: <c>attachment</c> (a download) or <c>inline</c>, with an ASCII <c>filename</c> and the exact name
    /// as <c>filename*=UTF-8''…</c> (RFC 8187).</summary>
    public static string ContentDisposition(bool attachment, string fileName)
    {
        var value = new ContentDispositionHeaderValue(attachment ? "attachment" : "inline");
        value.SetHttpFileName(fileName);
        return value.ToString();
    }

    /// <summary>Only <c>bytes</c> ranges are served (RFC 9110 §14.2: a recipient ignores a Range in a unit it does not
    /// know), so any other unit answers the whole file with 200.</summary>
    private static void IgnoreForeignRangeUnits(HttpRequest request)
    {
        var range = request.Headers.Range.ToString();
        if (range.Length > 0 && !range.TrimStart().StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
            request.Headers.Remove(HeaderNames.Range);
    }

    private static async Task<StoredFileRecord?> RecordOf(IClusterClient client, string fileId) =>
        UploadIds.IsWellFormed(fileId) ? await client.ReferenceTo<IStoredFileGrain>(fileId).GetRecord() : null;

    private static UploadRefusal NotFound(string fileId) => new(RefusalReason.NotFound, $"No stored file {fileId}.");
}
