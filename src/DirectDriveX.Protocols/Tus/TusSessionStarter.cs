using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Protocols.Tus;

/// <summary>How a tus creation without bytes (a control call) starts its session: the gateway registers its router (the
/// node with the most headroom, <c>UploadStarter</c>); a node addressed directly starts it on itself.</summary>
public interface ITusSessionStarter
{
    Task<UploadStartResult> StartAsync(UploadRequest request, CancellationToken cancellationToken);
}

/// <summary>The default on a node: the session starts on this node's data plane.</summary>
public sealed class LocalTusSessionStarter(UploadDataPlane plane) : ITusSessionStarter
{
    public async Task<UploadStartResult> StartAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        var (session, refusal) = await plane.StartHereAsync(request);
        if (refusal is not null) return UploadStartResult.Refused(refusal);
        var s = session!.Status;
        return new UploadStartResult(new UploadSessionInfo(s.UploadId, session.ResumeToken!, s.ActiveNodeId ?? plane.NodeId, plane.NodeName,
            s.Size, s.ReservedBytes, s.ChunkSize, s.MaxChunksInFlight), null,
            session.StoredAtStart is { } stored ? new CompletionResult(stored.File, null, stored.DeleteToken) : null);
    }
}
