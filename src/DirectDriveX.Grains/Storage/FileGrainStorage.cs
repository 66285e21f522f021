using DirectDriveX.Storage;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// Grain state as files in the file store (<c>state/{stateName}/{grain id}</c>), for clusters without Redis: the embedded
/// default's sessions and file records survive a restart, and silos that share the store share the state. Each write goes
/// to a temporary file that is fsynced and then renamed over the old one, so a state file is always whole. The ETag is
/// the version written with the state; a write whose ETag is not the stored one fails as inconsistent. Disk work runs on
/// the thread pool, never in the grain's turn. A state name given a lifetime (<paramref name="lifetimes"/>) expires that
/// long after its last write, as Redis keys with an expiry do: an expired record reads as absent, and
/// <see cref="RemoveExpired"/> (run by <see cref="StateFileSweep"/>) deletes the ones nobody reads again.
/// </summary>
public sealed class FileGrainStorage(
    IOptions<FileStoreOptions> options,
    Serializer serializer,
    TimeProvider clock,
    IReadOnlyDictionary<string, TimeSpan> lifetimes) : IGrainStorage
{
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetFullPath(options.Value.RootDirectory), "state")).FullName;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var bytes = await Task.Run(() => File.Exists(path) && !DeletedIfExpired(stateName, path) ? File.ReadAllBytes(path) : null);
        if (bytes is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        var stored = serializer.Deserialize<StoredState<T>>(bytes)!;
        grainState.State = stored.State;
        grainState.ETag = stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var version = await Task.Run(() => CheckedVersion<T>(path, grainState.ETag)) + 1;
        var bytes = serializer.SerializeToArray(new StoredState<T>(version, grainState.State!));
        await Task.Run(() =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        });
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        await Task.Run(() =>
        {
            CheckedVersion<T>(path, grainState.ETag);
            File.Delete(path);
        });
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    /// <summary>Deletes every record whose state name has a lifetime and that was last written longer ago than it; returns
    /// how many. Deleting is idempotent, so silos that share the store may sweep it at once.</summary>
    public int RemoveExpired(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var stateName in lifetimes.Keys)
        {
            var directory = Path.Combine(_root, Uri.EscapeDataString(stateName));
            if (!Directory.Exists(directory)) continue;
            foreach (var path in Directory.EnumerateFiles(directory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!path.EndsWith(".tmp", StringComparison.Ordinal) && DeletedIfExpired(stateName, path)) removed++;
            }
        }
        return removed;
    }

    private bool DeletedIfExpired(string stateName, string path)
    {
        if (!lifetimes.TryGetValue(stateName, out var lifetime)) return false;
        if (clock.GetUtcNow() - File.GetLastWriteTimeUtc(path) < lifetime) return false;
        File.Delete(path);
        return true;
    }

    /// <summary>The version stored at <paramref name="path"/> (0 when none), which must be the one the caller last saw.</summary>
    private long CheckedVersion<T>(string path, string? etag)
    {
        var stored = File.Exists(path) ? serializer.Deserialize<StoredState<T>>(File.ReadAllBytes(path))!.Version : 0;
        var expected = etag is null ? 0 : long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture);
        if (stored != expected)
            throw new InconsistentStateException($"State file {path} is at version {stored}; the grain wrote from version {expected}.",
                stored.ToString(System.Globalization.CultureInfo.InvariantCulture), etag);
        return stored;
    }

    private string PathOf(string stateName, GrainId grainId) =>
        Path.Combine(_root, Uri.EscapeDataString(stateName), Uri.EscapeDataString(grainId.ToString()));
}

/// <summary>A state file's content: the state and the version that is its ETag.</summary>
[GenerateSerializer]
public sealed record StoredState<T>([property: Id(0)] long Version, [property: Id(1)] T State);
