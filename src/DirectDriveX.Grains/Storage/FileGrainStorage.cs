using DirectDriveX.Storage;
using DirectDriveX.Storage.FileSystem;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace DirectDriveX.Grains.Storage;

/// <summary>
/// Grain state as files in the file store (<c>state/{stateName}/{grain id}</c>), for clusters without Redis: the embedded
/// default's sessions and file records survive a restart, and silos that share the store share the state. Each write goes
/// to a temporary file that is fsynced and then renamed over the old one, so a state file is always whole; the write
/// returns after an fsync of the directory that started after the rename (<see cref="DirectorySync"/>: concurrent writers
/// to one state name share it), so the rename itself survives a power cut. The ETag is the version written with the state,
/// kept in a fixed header at the start of the file (<see cref="Header"/>), so the check before a write reads 16 bytes
/// instead of the whole state; a write whose ETag is not the stored one fails as inconsistent. Files written before the
/// header existed are read whole as before and get the header on their next write. Disk work runs on
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
    private readonly DirectorySync _directories = new();

    /// <summary>A state file starts with these 8 bytes and then its version (8 bytes, little-endian); the serialized
    /// <see cref="StoredState{T}"/> follows. The first byte is 0, which no serialized state begins with, so a file of the
    /// older format (the serialized state alone) is told apart.</summary>
    internal static ReadOnlySpan<byte> Header => "\0DDXst01"u8;

    private const int HeaderLength = 16;

    /// <summary>Directory fsyncs done (for tests and measurement).</summary>
    public long DirectoryFlushes => _directories.Flushes;

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
        var stored = serializer.Deserialize<StoredState<T>>(HasHeader(bytes) ? bytes.AsSpan(HeaderLength) : bytes.AsSpan())!;
        grainState.State = stored.State;
        grainState.ETag = stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        // Serialized here, in the caller's turn (a grain may change its state once this returns, while the write goes on);
        // the write can only succeed as the version after the caller's, so that is the version written.
        var etag = grainState.ETag;
        var expected = ExpectedVersion(etag);
        var bytes = serializer.SerializeToArray(new StoredState<T>(expected + 1, grainState.State!));
        var directory = Path.GetDirectoryName(path)!;
        // One hop to the thread pool for the check, the write and the directory's fsync (issue 19, sixth round: they were
        // three, and the fsync's own).
        await Task.Run(() =>
        {
            CheckedVersion<T>(path, etag);
            Directory.CreateDirectory(directory);
            var temporary = path + ".tmp";
            // A handle, not a FileStream: the same open, lock and truncation, without a stream's 4 KiB buffer and its seek;
            // the header and the state go in one write.
            using (var file = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(file, [HeaderOf(expected + 1), bytes], 0);
                RandomAccess.FlushToDisk(file);
            }
            FileRename.Replace(temporary, path);
            return _directories.FlushHereAsync(directory);
        });
        grainState.ETag = (expected + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
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
        await _directories.FlushAsync(Path.GetDirectoryName(path)!);
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
        if (!lifetimes.TryGetValue(FamilyOf(stateName), out var lifetime)) return false;
        if (clock.GetUtcNow() - File.GetLastWriteTimeUtc(path) < lifetime) return false;
        File.Delete(path);
        return true;
    }

    /// <summary>The version stored at <paramref name="path"/> (0 when none), which must be the one the caller last saw.</summary>
    private long CheckedVersion<T>(string path, string? etag)
    {
        var stored = StoredVersion<T>(path);
        var expected = ExpectedVersion(etag);
        if (stored != expected)
            throw new InconsistentStateException($"State file {path} is at version {stored}; the grain wrote from version {expected}.",
                stored.ToString(System.Globalization.CultureInfo.InvariantCulture), etag);
        return stored;
    }

    private static long ExpectedVersion(string? etag) => etag is null ? 0 : long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The version in the file's header (one read of 16 bytes); 0 when there is no file. A file of the older
    /// format, without the header, is read whole once. A record's first write (no file yet, the common case: one per
    /// upload) is told by a stat, not by a thrown <see cref="FileNotFoundException"/> (issue 19, sixth round: 1.5% of the
    /// embedded process's CPU went to throwing it).</summary>
    private long StoredVersion<T>(string path)
    {
        if (!File.Exists(path)) return 0;
        Span<byte> header = stackalloc byte[HeaderLength];
        int read;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = RandomAccess.Read(handle, header, 0);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
        if (read == HeaderLength && HasHeader(header))
            return System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        return serializer.Deserialize<StoredState<T>>(File.ReadAllBytes(path))!.Version;
    }

    private static ReadOnlyMemory<byte> HeaderOf(long version)
    {
        var header = new byte[HeaderLength];
        Header.CopyTo(header);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), version);
        return header;
    }

    private static bool HasHeader(ReadOnlySpan<byte> bytes) => bytes.Length >= HeaderLength && bytes[..8].SequenceEqual(Header);

    /// <summary>A state name <c>{family}/{record}</c> (a session's sealed pages of parts, <c>upload/parts-3-0</c>) is a record kept
    /// with its family's: in its directory, as <c>{grain id}+{record}</c> (an escaped grain id has no '+'), with its lifetime.</summary>
    private string PathOf(string stateName, GrainId grainId)
    {
        var slash = stateName.IndexOf('/');
        var grain = Uri.EscapeDataString(grainId.ToString());
        return slash < 0
            ? Path.Combine(_root, Uri.EscapeDataString(stateName), grain)
            : Path.Combine(_root, Uri.EscapeDataString(stateName[..slash]), $"{grain}+{Uri.EscapeDataString(stateName[(slash + 1)..])}");
    }

    private static string FamilyOf(string stateName) => stateName.IndexOf('/') is var slash and >= 0 ? stateName[..slash] : stateName;
}

/// <summary>A state file's content: the state and the version that is its ETag.</summary>
[GenerateSerializer]
public sealed record StoredState<T>([property: Id(0)] long Version, [property: Id(1)] T State);
