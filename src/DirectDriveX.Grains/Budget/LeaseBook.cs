namespace DirectDriveX.Grains.Budget;

/// <summary>
/// The live leases of one node, with their expiry: one per silo (a singleton of its services), kept by its budget grain.
/// It lives with the silo's process, not with the grain's activation: Orleans deactivates even a <c>[KeepAlive]</c> grain
/// when the silo that kept its directory entry shuts down (every graceful restart of another silo), and the activation
/// that follows must not start from an empty book while the node's uploads hold their leases. Leases still die with the
/// silo. Thread-safe, for the moment two activations overlap.
/// </summary>
public sealed class LeaseBook
{
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _leasedBytes;

    public long LeasedBytes
    {
        get
        {
            lock (_lock) return _leasedBytes;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock) return _leases.Count;
        }
    }

    public bool TryGet(string sessionId, out Lease lease)
    {
        lock (_lock) return _leases.TryGetValue(sessionId, out lease);
    }

    /// <summary>Every live lease with its session id (a copy).</summary>
    public IEnumerable<(string SessionId, Lease Lease)> Entries()
    {
        lock (_lock) return _leases.Select(l => (l.Key, l.Value)).ToList();
    }

    public Lease Grant(string sessionId, long bytes, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            ReleaseLocked(sessionId);
            var lease = new Lease(bytes, expiresAt);
            _leases[sessionId] = lease;
            _leasedBytes += bytes;
            return lease;
        }
    }

    public bool Renew(string sessionId, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            if (!_leases.TryGetValue(sessionId, out var lease)) return false;
            _leases[sessionId] = lease with { ExpiresAt = expiresAt };
            return true;
        }
    }

    /// <summary>Sets a held lease to <paramref name="bytes"/> (keeping its expiry). False when the lease is gone.</summary>
    public bool Resize(string sessionId, long bytes)
    {
        lock (_lock)
        {
            if (!_leases.TryGetValue(sessionId, out var lease)) return false;
            _leasedBytes += bytes - lease.Bytes;
            _leases[sessionId] = lease with { Bytes = bytes };
            return true;
        }
    }

    public bool Release(string sessionId)
    {
        lock (_lock) return ReleaseLocked(sessionId);
    }

    /// <summary>Drops every lease whose expiry is at or before <paramref name="now"/>; returns the session ids dropped.</summary>
    public IReadOnlyList<string> Expire(DateTimeOffset now)
    {
        lock (_lock)
        {
            var expired = _leases.Where(l => l.Value.ExpiresAt <= now).Select(l => l.Key).ToList();
            foreach (var sessionId in expired) ReleaseLocked(sessionId);
            return expired;
        }
    }

    private bool ReleaseLocked(string sessionId)
    {
        if (!_leases.Remove(sessionId, out var lease)) return false;
        _leasedBytes -= lease.Bytes;
        return true;
    }

    public readonly record struct Lease(long Bytes, DateTimeOffset ExpiresAt);
}
