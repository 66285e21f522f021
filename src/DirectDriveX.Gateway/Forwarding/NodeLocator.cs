using DirectDriveX.Gateway.Cluster;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;

namespace DirectDriveX.Gateway.Forwarding;

/// <summary>
/// Where an upload's connection must go: the data plane of the node its session is active on now (a session that is not
/// active, because its node died or it was parked and collected, is activated by this very call on the node with the most
/// headroom, and reserves there before it takes a byte); for a new
/// multipart upload, the node with the most headroom for its size. Null when no live node can be named.
/// </summary>
public sealed partial class NodeLocator(IClusterClient client, ClusterView view, ILogger<NodeLocator> logger)
{
    public async Task<MemoryBudgetSnapshot?> OfSessionAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (!UploadIds.IsWellFormed(uploadId)) return await AnyAsync(cancellationToken); // that node answers NotFound in the protocol's own terms
        UploadStatus? status = null;
        for (var attempt = 1; status is null; attempt++)
        {
            try
            {
                // A session that is not active now (parked and collected, or its node died) is activated by this call: on the
                // node with the most headroom, where it reserves its tier again when its writer resumes it.
                var roomiest = await AnyAsync(cancellationToken);
                using (roomiest is null ? null : UploadPlacementHint.Target(MemoryBudgetKey.ToSilo(roomiest.NodeId)))
                    status = await client.ReferenceTo<IUploadSessionGrain>(uploadId).GetState().WaitAsync(LocateTimeout, cancellationToken);
            }
            catch (TimeoutException) when (attempt < LocateAttempts)
            {
                // A call that reached a silo as it stopped can go unanswered until Orleans' response timeout (30 s): ask
                // again, and the new message finds the session where it lives now.
                LogRetrying(uploadId, attempt);
            }
            catch (Exception e) when (FailureRefusals.IsNodeUnavailable(e))
            {
                LogUnreachable(uploadId, e.Message);
                return null;
            }
        }
        return await ByIdAsync(status.ActiveNodeId, cancellationToken);
    }

    /// <summary>How long one ask of a session where it lives may take before it is asked again (<see cref="LocateAttempts"/>
    /// times in all): the session answers in milliseconds, or is activated from storage in well under a second.</summary>
    public static readonly TimeSpan LocateTimeout = TimeSpan.FromSeconds(3);

    public const int LocateAttempts = 3;

    public async Task<MemoryBudgetSnapshot?> ForNewUploadAsync(long? size, CancellationToken cancellationToken)
    {
        var nodes = await view.GetNodesAsync(forceRefresh: false, cancellationToken);
        var withAddress = nodes.Where(n => n.DataPlaneUrl is not null && !n.Draining).ToList();
        var ranked = RoutingPolicy.Rank(withAddress, RoutingPolicy.ReservationFor(size ?? 0));
        return ranked.FirstOrDefault() ?? withAddress.MaxBy(n => n.HeadroomBytes);
    }

    private async Task<MemoryBudgetSnapshot?> ByIdAsync(string? nodeId, CancellationToken cancellationToken)
    {
        if (nodeId is null) return null;
        foreach (var refresh in new[] { false, true })
        {
            var nodes = await view.GetNodesAsync(refresh, cancellationToken);
            if (nodes.FirstOrDefault(n => n.NodeId == nodeId && n.DataPlaneUrl is not null) is { } node) return node;
        }
        return null;
    }

    private async Task<MemoryBudgetSnapshot?> AnyAsync(CancellationToken cancellationToken) =>
        (await view.GetNodesAsync(false, cancellationToken)).Where(n => n.DataPlaneUrl is not null && !n.Draining).MaxBy(n => n.HeadroomBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The session of upload {UploadId} did not answer within 3 s (attempt {Attempt}); asking again")]
    private partial void LogRetrying(string uploadId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The session of upload {UploadId} could not be reached: {Detail}")]
    private partial void LogUnreachable(string uploadId, string detail);
}
