namespace DirectDriveX.Node.Draining;

/// <summary>
/// Whether this node is leaving (it was asked to stop: SIGTERM). From the moment it is, the node takes no new upload: its
/// budget snapshot says <see cref="Interfaces.MemoryBudgetSnapshot.Draining"/> (gateways leave it out of routing), its
/// budget grants no new lease (a create that reaches it anyway goes to the next node), a session that activates is not
/// placed here (<see cref="Placement.UploadSessionPlacementDirector"/>), and the host tells each upload connection to
/// reconnect elsewhere. One per process; never reset (a drained node stops).
/// </summary>
public sealed class NodeDrain
{
    private readonly CancellationTokenSource _draining = new();

    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Cancelled when the node starts draining.</summary>
    public CancellationToken Draining => _draining.Token;

    /// <summary>Starts draining; true the first time only.</summary>
    public bool Begin()
    {
        if (_draining.IsCancellationRequested) return false;
        try { _draining.Cancel(); } catch (AggregateException) { } // a registered callback failed: draining all the same
        return true;
    }
}
