using System.Security.Cryptography;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.DataPlane;

/// <summary>
/// One upload as this node's data plane holds it between connections: who may write (one writer at a time: a new connection
/// takes over, and the old one's next write is refused), and the running SHA-256 over the bytes [0, HashedUpTo), kept while
/// the bytes arrive in order so completion need not read the file again.
/// </summary>
public sealed class StagedUpload(string uploadId)
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private IncrementalHash? _hash;
    private int _epoch;
    private Func<Task>? _stopCurrentWriter;

    public string UploadId { get; } = uploadId;
    public long HashedUpTo { get; private set; }
    public DateTimeOffset LastUsedAt { get; private set; }
    public bool HasWriter { get; private set; }

    internal void Touch(DateTimeOffset now) => LastUsedAt = now;

    /// <summary>Makes the caller the only writer: the current one (if any) is refused from its next write on, and the
    /// commits it already queued are given up to <paramref name="drainTimeout"/> to land, so the committed offset the new
    /// writer reads next is settled.</summary>
    public async Task<int> TakeOverAsync(TimeSpan drainTimeout)
    {
        Func<Task>? stopPrevious;
        int epoch;
        await _writing.WaitAsync();
        try
        {
            epoch = ++_epoch;
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
        return epoch;
    }

    /// <summary>Writer <paramref name="epoch"/> says how to stop it taking further commits: the returned task ends when the
    /// commits it had queued have landed.</summary>
    public void Register(int epoch, Func<Task> stopCommitting)
    {
        _writing.Wait();
        try
        {
            if (epoch == _epoch) _stopCurrentWriter = stopCommitting;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Writer <paramref name="epoch"/> leaves; the running hash survives only if it ends exactly at what was committed.</summary>
    public void Leave(int epoch, long committed)
    {
        _writing.Wait();
        try
        {
            if (epoch != _epoch) return;
            HasWriter = false;
            _stopCurrentWriter = null;
            if (HashedUpTo != committed) ResetHashLocked();
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> for writer <paramref name="epoch"/> and extends
    /// the running hash. False when another writer has taken over (nothing is written then).</summary>
    public async ValueTask<bool> WriteAsync(int epoch, IStagingFile file, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (epoch != _epoch) return false;
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

    /// <summary>The SHA-256 of [0, size) when the running hash covers exactly that, else null.</summary>
    public string? TryGetSha256(long size)
    {
        _writing.Wait();
        try
        {
            if (_hash is null || HashedUpTo != size) return null;
            var sha = Convert.ToHexStringLower(_hash.GetCurrentHash());
            return sha;
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
