using System.Globalization;
using System.Text;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http.Tus;

/// <summary>
/// The parts of tus 1.0.0 every process that answers on the tus path shares (the gateway, and each node's data plane):
/// headers, the version check, <c>X-HTTP-Method-Override</c>, OPTIONS, CORS, and the upload URL, which carries the upload's
/// resume token: <c>{Tus:Path}{uploadId}.{token}</c>. tus clients know nothing but that URL, so the URL is the authority to
/// continue, inspect or terminate the upload (keep it as secret as the token).
/// </summary>
public static class TusProtocol
{
    public const string Version = "1.0.0";
    public const string OctetStream = "application/offset+octet-stream";

    /// <summary>Advertised extensions: each one offered in full. creation-defer-length: an upload of unknown length reserves as
    /// the largest file it may become (the top tier), and is re-tiered when a PATCH declares its length.
    /// concatenation-unfinished: a final upload may name partial uploads still in progress; it is concatenated when the last
    /// of them is stored (the node's UploadConcatenation).</summary>
    public const string Extensions = "creation,creation-with-upload,creation-defer-length,termination,checksum,checksum-trailer,expiration,concatenation,concatenation-unfinished";

    public const string ChecksumAlgorithms = TusChecksum.Algorithms;

    private const string ExposedHeaders = "Location, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Expires, Upload-Metadata, Upload-Concat, "
        + "Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, Retry-After";

    private const string AllowedHeaders = "Authorization, Origin, X-Requested-With, X-Request-ID, X-HTTP-Method-Override, Content-Type, "
        + "Upload-Length, Upload-Offset, Tus-Resumable, Upload-Metadata, Upload-Defer-Length, Upload-Concat, Upload-Checksum";

    /// <summary>What every request on the tus path goes through first: <c>Tus-Resumable</c> and CORS headers on the response,
    /// the method override applied (so a forwarded request travels with its real method), OPTIONS answered, and any other
    /// request without <c>Tus-Resumable: 1.0.0</c> refused 412. Returns the answer when the request is done with.</summary>
    public static IResult? Prelude(HttpContext context, TusOptions options, long maxSize)
    {
        var request = context.Request;
        var response = context.Response;
        ApplyResponseHeaders(context, options);
        // The header MUST be taken for the method, whatever the request's own (a GET overridden to OPTIONS is an OPTIONS).
        if (request.Headers["X-HTTP-Method-Override"].ToString().Trim() is { Length: > 0 } method)
            request.Method = method.ToUpperInvariant();
        // No answer to a HEAD may be cached (MUST), whatever it says: a 404 now may be an upload later, and the reverse.
        if (HttpMethods.IsHead(request.Method)) response.Headers.CacheControl = "no-store";

        if (HttpMethods.IsOptions(request.Method))
        {
            response.Headers["Tus-Version"] = Version;
            response.Headers["Tus-Extension"] = Extensions;
            response.Headers["Tus-Max-Size"] = maxSize.ToString(CultureInfo.InvariantCulture);
            response.Headers["Tus-Checksum-Algorithm"] = ChecksumAlgorithms;
            return Results.NoContent();
        }
        if (request.Headers["Tus-Resumable"].ToString() != Version)
        {
            response.Headers["Tus-Version"] = Version;
            return Results.StatusCode(StatusCodes.Status412PreconditionFailed);
        }
        return null;
    }

    /// <summary>Tus-Resumable and the CORS headers this process's settings give the request's origin (set, never appended).</summary>
    public static void ApplyResponseHeaders(HttpContext context, TusOptions options)
    {
        context.Response.Headers["Tus-Resumable"] = Version;
        ApplyCors(context, options);
    }

    private static void ApplyCors(HttpContext context, TusOptions options)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || options.AllowedOrigins.Length == 0) return;
        var any = options.AllowedOrigins.Contains("*");
        if (!any && !options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)) return;
        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = any ? "*" : origin;
        if (!any) headers.Vary = "Origin";
        headers.AccessControlExposeHeaders = ExposedHeaders;
        if (HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.AccessControlRequestMethod.Count > 0)
        {
            headers.AccessControlAllowMethods = "POST, HEAD, PATCH, DELETE, OPTIONS";
            headers.AccessControlAllowHeaders = AllowedHeaders;
            headers.AccessControlMaxAge = "86400";
        }
    }

    /// <summary>The upload URL's last segment: <c>{uploadId}.{token}</c>.</summary>
    public static string Key(string uploadId, string token) => $"{uploadId}.{token}";

    public static string Location(HttpContext context, TusOptions options, string uploadId, string token) =>
        $"{context.Request.PathBase}{options.Path}{Key(uploadId, token)}";

    /// <summary>Splits <c>{uploadId}.{token}</c>; a key without a token yields a null token (refused as Unauthorized).</summary>
    public static (string UploadId, string? Token) ParseKey(string key)
    {
        var dot = key.IndexOf('.');
        return dot < 0 ? (key, null) : (key[..dot], key[(dot + 1)..]);
    }

    /// <summary>The key of an upload URL as <c>Upload-Concat: final;…</c> lists it (absolute or a path).</summary>
    public static string? KeyOfUrl(string url)
    {
        var path = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : url.Split('?', '#')[0];
        var slash = path.TrimEnd('/').LastIndexOf('/');
        var key = path.TrimEnd('/')[(slash + 1)..];
        return key.Length == 0 ? null : Uri.UnescapeDataString(key);
    }

    /// <summary>Upload-Metadata: comma-separated <c>key base64value</c> pairs (the value may be absent); keys non-empty, printable
    /// ASCII without spaces or commas, and unique. Null when malformed (400): what is kept is answered on HEAD as it came, so
    /// only a well-formed header is kept.</summary>
    public static Dictionary<string, string>? ParseMetadata(string? header)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header)) return metadata;
        foreach (var pair in header.Split(','))
        {
            var parts = pair.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2 || !parts[0].All(c => c is > ' ' and < (char)0x7f)) return null;
            try
            {
                if (!metadata.TryAdd(parts[0], parts.Length == 2 ? Encoding.UTF8.GetString(Convert.FromBase64String(parts[1])) : "")) return null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return metadata;
    }

    /// <summary>Upload-Expires on the answer about an unfinished upload (expiration extension): an upload not yet given a byte
    /// ends at the first-byte deadline (<c>Uploads:FirstByteTimeout</c>); one with bytes stays resumable for
    /// <c>Uploads:ResumeWindow</c> after its last commit.</summary>
    public static void SetExpires(HttpResponse response, UploadStatus status, UploadOptions uploads)
    {
        if (status.LastActivityAt is { } last) SetExpires(response, status.State, last, uploads);
    }

    public static void SetExpires(HttpResponse response, UploadState state, DateTimeOffset lastActivity, UploadOptions uploads)
    {
        if (state.IsFinal())
        {
            response.Headers.Remove("Upload-Expires"); // a finished upload does not expire (one set before its last bytes goes)
            return;
        }
        var window = state is UploadState.Created or UploadState.Reserved ? uploads.FirstByteTimeout : uploads.ResumeWindow;
        response.Headers["Upload-Expires"] = (lastActivity + window).ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>A creation's length: <c>Upload-Length</c>, or <c>Upload-Defer-Length: 1</c> (deferred: 0 and true); one of the
    /// two, and no other value of the second, else the refusal (400).</summary>
    public static (long Length, bool Deferred, UploadRefusal? Refusal) CreationLength(HttpRequest request)
    {
        var headers = request.Headers;
        if (headers.TryGetValue("Upload-Defer-Length", out var defer))
        {
            if (defer.ToString() != "1") return (0, false, Invalid("Upload-Defer-Length: the only value is 1."));
            if (headers.ContainsKey("Upload-Length")) return (0, false, Invalid("Upload-Length and Upload-Defer-Length: send one of them."));
            return (0, true, null);
        }
        return long.TryParse(headers["Upload-Length"], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? (length, false, null)
            : (0, false, Invalid("Upload-Length: a non-negative number of bytes is required (or Upload-Defer-Length: 1)."));
    }

    private static UploadRefusal Invalid(string message) => new(RefusalReason.InvalidRequest, message);

    /// <summary>Whether a POST carries bytes (creation-with-upload).</summary>
    public static bool CarriesBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
}
