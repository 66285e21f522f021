using DirectDriveX.Storage;
using System.Security.Cryptography;

namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// One upload as this node's data plane holds it between connections: who may write (one writer at a time: a new connection
/// takes over, and the old one's next write is refused), the fencing epoch this node writes under (from the session grain),
/// and the running SHA-256 over the bytes [0, HashedUpTo) of that epoch's staging file, kept while the bytes arrive in order
/// so completion need not read the file again.
/// Writers are fenced twice: in this process by their generation (checked under the lock before every write), and across
/// processes by the epoch (each epoch writes a staging file of its own, and the session grain takes commits of its
/// activation's epoch only).
/// </summary>
public sealed class StagedUpload(string uploadId)
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private IncrementalHash? _hash;
    private int _generation;
    private int _epoch = -1;
    private Func<Task>? _stopCurrentWriter;

    public string UploadId { get; } = uploadId;
    public long HashedUpTo { get; private set; }
    public DateTimeOffset LastUsedAt { get; private set; }
    public bool HasWriter { get; private set; }

    /// <summary>Held while this node joins the upload's segments into one file, so two completions never write it at once.</summary>
    internal SemaphoreSlim Joining { get; } = new(1, 1);

    internal void Touch(DateTimeOffset now) => LastUsedAt = now;

    /// <summary>Makes the caller the only writer: the current one (if any) is refused from its next write on, and the
    /// commits it already queued are given up to <paramref name="drainTimeout"/> to land, so the committed offset the new
    /// writer reads next is settled. Returns the new writer's generation.</summary>
    public async Task<int> TakeOverAsync(TimeSpan drainTimeout)
    {
        Func<Task>? stopPrevious;
        int generation;
        await _writing.WaitAsync();
        try
        {
            generation = ++_generation;
            stopPrevious = _stopCurrentWriter;
            _stopCurrentWriter = null;
            HasWriter = true;
        }
        finally
        {
            _writing.Release();
        }
        if (stopPrevious is not null)
        {
            try { await stopPrevious().WaitAsync(drainTimeout); } catch (TimeoutException) { }
        }
        return generation;
    }

    /// <summary>Writer <paramref name="generation"/> writes under fencing epoch <paramref name="epoch"/>: a new epoch (the session
    /// was activated again) starts a new staging file, so the running hash starts again. False when another writer has taken
    /// over meanwhile.</summary>
    public bool Enter(int generation, int epoch)
    {
        _writing.Wait();
        try
        {
            if (generation != _generation) return false;
            if (epoch != _epoch) ResetHashLocked();
            _epoch = epoch;
            return true;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Writer <paramref name="generation"/> says how to stop it taking further commits: the returned task ends when the
    /// commits it had queued have landed.</summary>
    public void Register(int generation, Func<Task> stopCommitting)
    {
        _writing.Wait();
        try
        {
            if (generation == _generation) _stopCurrentWriter = stopCommitting;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Writer <paramref name="generation"/> leaves; the running hash survives only if it ends exactly at what was committed.</summary>
    public void Leave(int generation, long committed)
    {
        _writing.Wait();
        try
        {
            if (generation != _generation) return;
            HasWriter = false;
            _stopCurrentWriter = null;
            if (HashedUpTo != committed) ResetHashLocked();
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> for writer <paramref name="generation"/> and extends
    /// the running hash. False when another writer has taken over (nothing is written then).</summary>
    public async ValueTask<bool> WriteAsync(int generation, IStagingFile file, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (generation != _generation) return false;
            await file.WriteAsync(offset, data, cancellationToken);
            if (offset == 0 || offset != HashedUpTo)
                ResetHashLocked(); // a fresh start, or bytes out of order: completion re-reads the file unless hashing restarts at 0
            if (offset == HashedUpTo)
            {
                _hash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                _hash.AppendData(data.Span);
                HashedUpTo += data.Length;
            }
            return true;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>The SHA-256 of [0, size) when the running hash covers exactly that in epoch <paramref name="epoch"/>'s file, else null.</summary>
    public string? TryGetSha256(int epoch, long size)
    {
        _writing.Wait();
        try
        {
            if (_hash is null || epoch != _epoch || HashedUpTo != size) return null;
            return Convert.ToHexStringLower(_hash.GetCurrentHash());
        }
        finally
        {
            _writing.Release();
        }
    }

    internal void ResetHash()
    {
        _writing.Wait();
        try { ResetHashLocked(); } finally { _writing.Release(); }
    }

    private void ResetHashLocked()
    {
        _hash?.Dispose();
        _hash = null;
        HashedUpTo = 0;
    }
}
