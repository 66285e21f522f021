using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Upload.Protocol;

namespace DirectDriveX.Upload;

/// <summary>The gateway's HTTP API as this tool uses it. Every non-success answer becomes an <see cref="UploadRefusedException"/>
/// carrying the problem+json title and detail. Given several gateways (<c>--gateway</c> more than once), it talks to one at
/// a time and moves to the next (<see cref="Next"/>) when the uploader has lost a connection or could not reach it: any
/// gateway routes any upload.</summary>
/// <param name="links">Follows a download's redirect to a link straight to the store: a client without the API key, which is
/// the gateway's and never sent to a store. Default <paramref name="http"/>.</param>
internal sealed class GatewayClient(HttpClient http, IReadOnlyList<Uri>? gateways = null, HttpClient? links = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IReadOnlyList<Uri> _gateways = gateways is { Count: > 0 } ? gateways : [http.BaseAddress!];
    private int _current;

    /// <summary>The gateway in use.</summary>
    public Uri BaseAddress => _gateways[Volatile.Read(ref _current) % _gateways.Count];

    public int GatewayCount => _gateways.Count;

    /// <summary>Moves to the next gateway (round robin); the same one when there is only one.</summary>
    public Uri Next()
    {
        Interlocked.Increment(ref _current);
        return BaseAddress;
    }

    private Uri At(string relative) => new(BaseAddress, relative);


    public async Task<UploadTicket> CreateUploadAsync(CreateUploadRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(At("api/v1/uploads"), request, Json, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<UploadTicket>(Json, cancellationToken)
            ?? throw new InvalidDataException("Empty answer to POST /api/v1/uploads.");
    }

    /// <summary>GET /api/v1/uploads/{id}, authorised by the resume token (Upload-Token header).</summary>
    public async Task<UploadStatusReply> GetUploadAsync(string uploadId, string resumeToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, At($"api/v1/uploads/{Uri.EscapeDataString(uploadId)}"));
        request.Headers.Add("Upload-Token", resumeToken);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<UploadStatusReply>(Json, cancellationToken)
            ?? throw new InvalidDataException($"Empty answer to GET /api/v1/uploads/{uploadId}.");
    }

    public async Task<JsonElement> GetFileMetaAsync(string fileId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(At($"api/v1/files/{Uri.EscapeDataString(fileId)}/meta"), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
    }

    /// <summary>POST /api/v1/upload with a multipart body, sent as it is read; the answer's JSON.</summary>
    public async Task<JsonElement> PostMultipartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(At("api/v1/upload"), content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
    }

    /// <summary>PUT /api/v1/uploads/{id}/chunks?offset=N with the rest of a file, authorised by the resume token; the answer's
    /// JSON (the stored file once the body reaches the end).</summary>
    public async Task<JsonElement> PutChunksAsync(string uploadId, string resumeToken, long offset, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, At($"api/v1/uploads/{Uri.EscapeDataString(uploadId)}/chunks?offset={offset}"))
        {
            Content = content,
        };
        request.Headers.Add("Upload-Token", resumeToken);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
    }

    /// <summary>GET /api/v1/files/{id}, returned as soon as the headers are in: the body is still to be streamed. A redirect
    /// to a link straight to the store (<c>FileStore:DownloadLinkLifetime</c>) is followed with <c>links</c>, and the
    /// gateway's digest headers on it are kept on the store's response.</summary>
    public async Task<HttpResponseMessage> GetFileAsync(string fileId, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync(At($"api/v1/files/{Uri.EscapeDataString(fileId)}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
        {
            var digests = Transfers.FileDownloader.Sha256Headers.Select(name => (name, values: response.Headers.TryGetValues(name, out var v) ? v.ToArray() : [])).ToArray();
            response.Dispose();
            response = await (links ?? http).GetAsync(location.IsAbsoluteUri ? location : new Uri(BaseAddress, location),
                HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            foreach (var (name, values) in digests)
                if (values.Length > 0) response.Headers.TryAddWithoutValidation(name, values);
        }
        try
        {
            await EnsureSuccessAsync(response, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The ticket's WebSocket address (absolute, or relative to the gateway; on the gateway in use when there are
    /// several), with the resume token.</summary>
    public Uri WebSocketUri(UploadTicket ticket)
    {
        var address = new Uri(BaseAddress, ticket.WebSocketUrl ?? $"/ws/upload/{Uri.EscapeDataString(ticket.UploadId)}");
        // With several gateways the ticket's address (the creating gateway's) is followed on the gateway in use: its path
        // and query, this gateway's scheme, host and port.
        if (_gateways.Count > 1 && address.IsAbsoluteUri) address = new Uri(BaseAddress, address.PathAndQuery);
        var builder = new UriBuilder(address) { Scheme = address.Scheme == Uri.UriSchemeHttps ? "wss" : address.Scheme == Uri.UriSchemeHttp ? "ws" : address.Scheme };
        if (!builder.Query.Contains("token=", StringComparison.Ordinal))
        {
            var token = "token=" + Uri.EscapeDataString(ticket.ResumeToken);
            builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + token : token;
        }
        return builder.Uri;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var explanation = body;
        JsonElement? problemJson = null;
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            problemJson = root.Clone();
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            explanation = string.Join(": ", new[] { Text("title"), Text("detail") ?? Text("reason") }.Where(s => !string.IsNullOrEmpty(s)));
            if (explanation.Length == 0) explanation = body;
        }
        catch (JsonException)
        {
        }
        var retryAfter = response.Headers.RetryAfter?.Delta;
        throw new UploadRefusedException(
            $"{(int)response.StatusCode} {response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {explanation}"
            + (retryAfter is { } wait ? $" (retry after {wait.TotalSeconds:0} s)" : ""),
            httpStatus: (int)response.StatusCode) { RetryAfter = retryAfter, Problem = problemJson };
    }
}
