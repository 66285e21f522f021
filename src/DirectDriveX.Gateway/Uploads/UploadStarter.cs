using DirectDriveX.Gateway.Cluster;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;

namespace DirectDriveX.Gateway.Uploads;

/// <summary>
/// Starts an upload session on the node with the most headroom. A node that refuses for headroom (it raced with another
/// upload) sends the upload to the next; the client is refused only when no node can take it. When the view shows no node
/// with enough headroom, the best one is still asked, so the refusal carries that node's real, current figures.
/// </summary>
public sealed partial class UploadStarter(IClusterClient client, ClusterView view, UploadMetrics metrics, ILogger<UploadStarter> logger)
{
    public async Task<UploadStartResult> StartAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        // An upload without its length reserves as the largest file it may become: the top tier, at most.
        var reservation = request.DeferLength ? TieredReservationPolicy.LargeTierCap : RoutingPolicy.ReservationFor(request.Size);
        var nodes = await view.GetNodesAsync(forceRefresh: false, cancellationToken);
        if (nodes.Count == 0) nodes = await view.GetNodesAsync(forceRefresh: true, cancellationToken);
        if (nodes.Count == 0)
            return Refused(new UploadRefusal(RefusalReason.InsufficientHeadroom, "No node of the cluster is available; retry later."));

        // The policy's choice, counted at once so that concurrent creates see it; when the view shows no node with enough
        // headroom, the best one is still asked, so the refusal carries that node's real, current figures.
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var placement = view.PlaceNext(nodes, reservation, tried) ?? view.BeginPlacement((nodes.Where(n => !n.Draining).MaxBy(n => n.HeadroomBytes) ?? nodes.MaxBy(n => n.HeadroomBytes))!.NodeId, reservation);
        UploadRefusal? refusal = null;
        while (placement is not null)
        {
            tried.Add(placement.NodeId);
            var node = nodes.Single(n => n.NodeId == placement.NodeId);
            var result = await StartOnAsync(request, placement, cancellationToken);
            if (result.Accepted)
            {
                LogRouted(result.Session!.UploadId, result.Session.NodeName, node.HeadroomBytes, request.Size);
                return result;
            }
            refusal = result.Refusal!;
            if (refusal.Reason != RefusalReason.InsufficientHeadroom) return Refused(refusal);
            LogRaced(node.NodeName, refusal.Message);
            placement = view.PlaceNext(nodes, reservation, tried);
        }
        await view.GetNodesAsync(forceRefresh: true, cancellationToken);
        return Refused(refusal!);
    }

    /// <summary>Starts the session on the placement's node; the placement stays counted in the view when it was granted.</summary>
    private async Task<UploadStartResult> StartOnAsync(UploadRequest request, ClusterView.Placement placement, CancellationToken cancellationToken)
    {
        using (placement)
        {
            var uploadId = UploadIds.NewId(); // drawn per node asked, so every start is a new id's first
            var grain = client.ReferenceTo<IUploadSessionGrain>(uploadId);
            UploadStartResult result;
            using (UploadPlacementHint.Target(MemoryBudgetKey.ToSilo(placement.NodeId)))
            using (NewUploadMark.For(uploadId))
                result = await grain.Start(request).WaitAsync(cancellationToken);
            if (result.Accepted) placement.Granted();
            return result;
        }
    }

    /// <summary>The final answer to the client: counted once here, however many nodes were asked.</summary>
    private UploadStartResult Refused(UploadRefusal refusal)
    {
        metrics.UploadRefused(refusal.Reason);
        if (refusal.Figures is { } figures) LogRefusedForHeadroom(refusal.Reason, refusal.Message, figures.HeadroomBytes, figures.RequestedBytes);
        else LogRefused(refusal.Reason, refusal.Message);
        return UploadStartResult.Refused(refusal);
    }

    /// <summary>Debug: the session logs its start once, at Information, on its node.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Upload {UploadId} routed to node {NodeName} (headroom {Headroom} bytes) for {Size} bytes")]
    private partial void LogRouted(string uploadId, string nodeName, long headroom, long size);

    [LoggerMessage(Level = LogLevel.Information, Message = "New upload refused: {Reason} ({Detail}); headroom {HeadroomBytes}, needed {RequestedBytes}")]
    private partial void LogRefusedForHeadroom(RefusalReason reason, string detail, long headroomBytes, long requestedBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "New upload refused: {Reason} ({Detail})")]
    private partial void LogRefused(RefusalReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeName} refused a new upload: {Reason}; trying the next")]
    private partial void LogRaced(string nodeName, string reason);
}
