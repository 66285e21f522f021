namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// The memory budget of one silo. There is exactly one per silo, keyed by <see cref="MemoryBudgetKey.For"/>
/// (the silo address) and always activated on the silo it describes.
/// </summary>
public interface IMemoryBudgetGrain : IGrainWithStringKey
{
    /// <summary>Grants a lease of <paramref name="bytes"/> to <paramref name="sessionId"/>, or refuses with figures.
    /// Reserving again for a session that already holds a lease returns that lease (idempotent).</summary>
    Task<LeaseGrant> TryReserve(string sessionId, long bytes);

    /// <summary>Extends the session's lease by the lease timeout. False when the lease is gone (expired or released).</summary>
    Task<bool> Renew(string sessionId);

    /// <summary>Shrinks the session's lease to <paramref name="bytes"/> (an upload whose declared length needs less than it
    /// reserved); the rest returns to the budget. False when the lease is gone, or <paramref name="bytes"/> is not less.</summary>
    Task<bool> Shrink(string sessionId, long bytes);

    /// <summary>Returns the session's lease to the budget. Idempotent.</summary>
    Task Release(string sessionId);

    Task<MemoryBudgetSnapshot> GetSnapshot();

    /// <summary>The budget as an operator inspects it: the figures and every lease (session id, bytes, expiry). The Orleans
    /// dashboard's grain-state view (Grain Details: this grain's type and its node id) shows what this returns: it calls a
    /// grain's <c>GetState</c>.</summary>
    Task<MemoryBudgetState> GetState();
}
