using System.Collections.Concurrent;

namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// This node's record of the uploads its data plane is writing: one <see cref="StagedUpload"/> per upload (one writer at a
/// time, the running SHA-256). Entries are forgotten when their session finishes, and swept when no writer has used them
/// for <see cref="IdleLimit"/>.
/// </summary>
public sealed class StagedUploads(TimeProvider clock)
{
    public static readonly TimeSpan IdleLimit = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, StagedUpload> _uploads = new(StringComparer.Ordinal);

    public StagedUpload Get(string uploadId)
    {
        Sweep();
        var upload = _uploads.GetOrAdd(uploadId, static id => new StagedUpload(id));
        upload.Touch(clock.GetUtcNow());
        return upload;
    }

    public void Forget(string uploadId)
    {
        if (_uploads.TryRemove(uploadId, out var upload)) upload.ResetHash();
    }

    private void Sweep()
    {
        var cutoff = clock.GetUtcNow() - IdleLimit;
        foreach (var (id, upload) in _uploads)
            if (!upload.HasWriter && upload.LastUsedAt < cutoff) Forget(id);
    }
}
