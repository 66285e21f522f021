using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http.Tus;

namespace DirectDriveX.Gateway.Uploads;

/// <summary>A tus creation without bytes, on the gateway: a control call like <c>POST /api/v1/uploads</c>, placed on the node
/// with the most headroom by <see cref="UploadStarter"/>.</summary>
public sealed class TusSessionRouting(UploadStarter starter) : ITusSessionStarter
{
    public Task<UploadStartResult> StartAsync(UploadRequest request, CancellationToken cancellationToken) =>
        starter.StartAsync(request, cancellationToken);
}
