using System.Net.Http.Json;
using System.Text.Json;
using DirectDriveX.Upload.Protocol;

namespace DirectDriveX.Upload;

/// <summary>The gateway's HTTP API as this tool uses it. Every non-success answer becomes an <see cref="UploadRefusedException"/>
/// carrying the problem+json title and detail.</summary>
internal sealed class GatewayClient(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Uri BaseAddress => http.BaseAddress!;

    public async Task<UploadTicket> CreateUploadAsync(CreateUploadRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/v1/uploads", request, Json, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<UploadTicket>(Json, cancellationToken)
            ?? throw new InvalidDataException("Empty answer to POST /api/v1/uploads.");
    }

    /// <summary>GET /api/v1/uploads/{id}, authorised by the resume token (Upload-Token header).</summary>
    public async Task<UploadStatusReply> GetUploadAsync(string uploadId, string resumeToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/uploads/{Uri.EscapeDataString(uploadId)}");
        request.Headers.Add("Upload-Token", resumeToken);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<UploadStatusReply>(Json, cancellationToken)
            ?? throw new InvalidDataException($"Empty answer to GET /api/v1/uploads/{uploadId}.");
    }

    public async Task<JsonElement> GetFileMetaAsync(string fileId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"api/v1/files/{Uri.EscapeDataString(fileId)}/meta", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
    }

    /// <summary>POST /api/v1/upload with a multipart body, sent as it is read; the answer's JSON.</summary>
    public async Task<JsonElement> PostMultipartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync("api/v1/upload", content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
    }

    /// <summary>GET /api/v1/files/{id}, returned as soon as the headers are in: the body is still to be streamed.</summary>
    public async Task<HttpResponseMessage> GetFileAsync(string fileId, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync($"api/v1/files/{Uri.EscapeDataString(fileId)}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
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

    /// <summary>The ticket's WebSocket address (absolute, or relative to the gateway), with the resume token.</summary>
    public Uri WebSocketUri(UploadTicket ticket)
    {
        var address = new Uri(BaseAddress, ticket.WebSocketUrl ?? $"/ws/upload/{Uri.EscapeDataString(ticket.UploadId)}");
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
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
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
            httpStatus: (int)response.StatusCode) { RetryAfter = retryAfter };
    }
}
