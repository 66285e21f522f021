using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Uploads;

/// <summary>Opens an existing upload for a control call (status, abort): the id must be well-formed and known, and the token its own.</summary>
public sealed class UploadAccess(IClusterClient client)
{
    public async Task<(IUploadSessionGrain? Grain, UploadStatus? Status, UploadRefusal? Refusal)> OpenAsync(string uploadId, string? token)
    {
        if (!UploadIds.IsWellFormed(uploadId))
            return (null, null, new UploadRefusal(RefusalReason.NotFound, $"No upload {uploadId}."));
        var grain = client.ReferenceTo<IUploadSessionGrain>(uploadId);
        var opening = await grain.Open(token, requireToken: true);
        return opening.Opened ? (grain, opening.Status, null) : (null, null, opening.Refusal);
    }
}
