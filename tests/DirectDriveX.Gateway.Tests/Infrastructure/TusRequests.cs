using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

/// <summary>tus 1.0.0 requests as the spec writes them, for the protocol tests.</summary>
public static class TusRequests
{
    public const string TusPath = "/files/";

    public static HttpRequestMessage Request(HttpMethod method, string url, bool tusResumable = true)
    {
        var request = new HttpRequestMessage(method, url);
        if (tusResumable) request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    public static HttpRequestMessage Create(long length, string? fileName = null, string? fileType = null, string? concat = null)
    {
        var request = Request(HttpMethod.Post, TusPath);
        request.Headers.Add("Upload-Length", length.ToString());
        var metadata = new List<string>();
        if (fileName is not null) metadata.Add($"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes(fileName))}");
        if (fileType is not null) metadata.Add($"filetype {Convert.ToBase64String(Encoding.UTF8.GetBytes(fileType))}");
        if (metadata.Count > 0) request.Headers.Add("Upload-Metadata", string.Join(',', metadata));
        if (concat is not null) request.Headers.Add("Upload-Concat", concat);
        return request;
    }

    public static HttpRequestMessage Patch(string url, long offset, ReadOnlyMemory<byte> body, string? checksum = null, string contentType = "application/offset+octet-stream")
    {
        var request = Request(HttpMethod.Patch, url);
        request.Headers.Add("Upload-Offset", offset.ToString());
        if (checksum is not null) request.Headers.Add("Upload-Checksum", checksum);
        request.Content = new ReadOnlyMemoryContent(body) { Headers = { ContentType = MediaTypeHeaderValue.Parse(contentType) } };
        return request;
    }

    public static string Sha1(ReadOnlySpan<byte> data) => "sha1 " + Convert.ToBase64String(SHA1.HashData(data));

    public static string Sha256(ReadOnlySpan<byte> data) => "sha256 " + Convert.ToBase64String(SHA256.HashData(data));

    public static string Md5(ReadOnlySpan<byte> data) => "md5 " + Convert.ToBase64String(MD5.HashData(data));

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content) : "";

    /// <summary>The upload id of an upload URL (<c>/files/{id}.{token}</c>).</summary>
    public static string UploadId(string location) => location[(location.LastIndexOf('/') + 1)..].Split('.')[0];
}
