using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http.Tus;

/// <summary>How a tus creation without bytes (a control call) starts its session: the gateway registers its router (the
/// node with the most headroom, <c>UploadStarter</c>); a node addressed directly starts it on itself.</summary>
public interface ITusSessionStarter
{
    Task<UploadStartResult> StartAsync(UploadRequest request, CancellationToken cancellationToken);
}
