using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http.Tus;

namespace DirectDriveX.Protocols.Tus;

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
