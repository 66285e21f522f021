namespace DirectDriveX.Grains.Budget;

/// <summary>The live leases of one node, with their expiry. Not thread-safe: owned by one grain activation.</summary>
public sealed class LeaseBook
{
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    public long LeasedBytes { get; private set; }

    public int Count => _leases.Count;

    public bool TryGet(string sessionId, out Lease lease) => _leases.TryGetValue(sessionId, out lease);

    /// <summary>Every live lease with its session id.</summary>
    public IEnumerable<(string SessionId, Lease Lease)> Entries() => _leases.Select(l => (l.Key, l.Value));

    public Lease Grant(string sessionId, long bytes, DateTimeOffset expiresAt)
    {
        Release(sessionId);
        var lease = new Lease(bytes, expiresAt);
        _leases[sessionId] = lease;
        LeasedBytes += bytes;
        return lease;
    }

    public bool Renew(string sessionId, DateTimeOffset expiresAt)
    {
        if (!_leases.TryGetValue(sessionId, out var lease)) return false;
        _leases[sessionId] = lease with { ExpiresAt = expiresAt };
        return true;
    }

    public bool Release(string sessionId)
    {
        if (!_leases.Remove(sessionId, out var lease)) return false;
        LeasedBytes -= lease.Bytes;
        return true;
    }

    /// <summary>Drops every lease whose expiry is at or before <paramref name="now"/>; returns the session ids dropped.</summary>
    public IReadOnlyList<string> Expire(DateTimeOffset now)
    {
        var expired = _leases.Where(l => l.Value.ExpiresAt <= now).Select(l => l.Key).ToList();
        foreach (var sessionId in expired) Release(sessionId);
        return expired;
    }

    public readonly record struct Lease(long Bytes, DateTimeOffset ExpiresAt);
}
