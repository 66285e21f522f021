namespace DirectDriveX.Http;

/// <summary>Where a request carries an upload's resume token.</summary>
public static class UploadToken
{
    /// <summary>The token from the <c>Upload-Token</c> header, or else the <c>token</c> query parameter (browsers' WebSockets cannot set headers).</summary>
    public static string? Of(HttpRequest request) =>
        request.Headers.TryGetValue("Upload-Token", out var header) && header.Count > 0 ? header.ToString()
        : request.Query.TryGetValue("token", out var query) ? query.ToString() : null;
}
