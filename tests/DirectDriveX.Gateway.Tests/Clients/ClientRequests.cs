using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DirectDriveX.Gateway.Tests.Infrastructure;

namespace DirectDriveX.Gateway.Tests.Clients;

/// <summary>Requests that start uploads as a given client: its address (sent as X-Forwarded-For, which the client-limit
/// fixtures trust from 127.0.0.1, where the test runs) or its API key; one per protocol.</summary>
public sealed class ClientRequests(HttpClient http, string? address = null, string? apiKey = null, bool bearer = true)
{
    public async Task<Answer> CreateAsync(long size, Uri? gateway = null) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(gateway, "/api/v1/uploads"))
        {
            Content = JsonContent.Create(new { fileName = "c.bin", size }),
        });

    public async Task<Answer> LegacyInitiateAsync(long size) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/upload/initiate")
        {
            Content = new StringContent($"{{\"filename\":\"c.bin\",\"size\":{size}}}", Encoding.UTF8, "application/json"),
        });

    public async Task<Answer> MultipartAsync(byte[] data)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(data), "file", "c.bin" } };
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/upload") { Content = form });
    }

    public async Task<Answer> TusCreateAsync(long size, byte[]? withBytes = null)
    {
        var request = TusRequests.Create(size, "c.bin");
        if (withBytes is not null)
            request.Content = new ByteArrayContent(withBytes) { Headers = { ContentType = MediaTypeHeaderValue.Parse("application/offset+octet-stream") } };
        return await SendAsync(request);
    }

    public async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            if (address is not null) request.Headers.Add("X-Forwarded-For", address);
            if (apiKey is not null)
            {
                if (bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
                else request.Headers.Add("X-Api-Key", apiKey);
            }
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var body = text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonSerializer.Deserialize<JsonElement>(text) : default;
            return new Answer(response.StatusCode, body, response.Headers, text);
        }
    }

    private Uri Url(Uri? gateway, string path) => gateway is null ? new Uri(path, UriKind.Relative) : new Uri(gateway, path);

    public sealed record Answer(HttpStatusCode Status, JsonElement Body, HttpResponseHeaders Headers, string Text)
    {
        public string? Reason => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("reason", out var r) ? r.GetString() : null;
        public string? Detail => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("detail", out var d) ? d.GetString() : null;
        public string UploadId => Body.GetProperty("uploadId").GetString()!;
        public string ResumeToken => Body.GetProperty("resumeToken").GetString()!;
        public JsonElement Quota => Body.GetProperty("quota");
        public override string ToString() => $"{(int)Status}: {Text}";
    }
}
