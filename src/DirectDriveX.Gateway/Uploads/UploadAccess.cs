using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Uploads;

/// <summary>Opens an existing upload for a caller: the id must be well-formed and known, and the token must be its own.</summary>
public sealed class UploadAccess(IClusterClient client)
{
    public async Task<(IUploadSessionGrain? Grain, UploadStatus? Status, UploadRefusal? Refusal)> OpenAsync(
        string uploadId, string? token, bool requireToken = true)
    {
        if (!UploadIds.IsWellFormed(uploadId))
            return (null, null, new UploadRefusal(RefusalReason.NotFound, $"No upload {uploadId}."));
        var grain = client.GetGrain<IUploadSessionGrain>(uploadId);
        var status = await grain.GetStatus();
        if (status.Failure is { Reason: RefusalReason.NotFound } notFound) return (null, null, notFound);
        if (requireToken && (string.IsNullOrEmpty(token) || !await grain.Authorize(token)))
            return (null, null, new UploadRefusal(RefusalReason.Unauthorized, $"The resume token does not match upload {uploadId}."));
        return (grain, status, null);
    }

    /// <summary>The token from the <c>Upload-Token</c> header, or else the <c>token</c> query parameter (browsers' WebSockets cannot set headers).</summary>
    public static string? TokenOf(HttpRequest request) =>
        request.Headers.TryGetValue("Upload-Token", out var header) && header.Count > 0 ? header.ToString()
        : request.Query.TryGetValue("token", out var query) ? query.ToString() : null;
}
