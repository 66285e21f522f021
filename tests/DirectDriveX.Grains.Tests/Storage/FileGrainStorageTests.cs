using DirectDriveX.Grains.Storage;
using DirectDriveX.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using DirectDriveX.Testing;
using Orleans.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>Grain state in files: the ETag check across processes that share the directory (two storages here), the
/// version header read instead of the whole state, files of the older format, and the group-committed directory fsync.</summary>
public sealed class FileGrainStorageTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly string _root = Directory.CreateTempSubdirectory("ddx-state-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(FileGrainStorage).Assembly)).BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private FileGrainStorage NewStorage() => new(Options.Create(new FileStoreOptions { RootDirectory = _root }),
        _services.GetRequiredService<Serializer>(), TimeProvider.System, new Dictionary<string, TimeSpan>());

    private static GrainId Grain(string key) => GrainId.Create("test", key);

    [Fact]
    public async Task A_write_from_a_stale_etag_fails_also_when_another_process_wrote()
    {
        var (one, other) = (NewStorage(), NewStorage());
        var mine = new GrainState<List<string>> { State = ["a"] };
        await one.WriteStateAsync("s", Grain("g"), mine);
        Assert.Equal("1", mine.ETag);

        var theirs = new GrainState<List<string>>();
        await other.ReadStateAsync("s", Grain("g"), theirs);
        Assert.Equal(("a", "1", true), (theirs.State!.Single(), theirs.ETag, theirs.RecordExists));
        theirs.State = ["b"];
        await other.WriteStateAsync("s", Grain("g"), theirs);
        Assert.Equal("2", theirs.ETag);

        mine.State = ["c"];
        await Assert.ThrowsAsync<InconsistentStateException>(() => one.WriteStateAsync("s", Grain("g"), mine));
        await Assert.ThrowsAsync<InconsistentStateException>(() => one.ClearStateAsync("s", Grain("g"), mine));
        var fresh = new GrainState<List<string>> { State = ["d"] };
        await Assert.ThrowsAsync<InconsistentStateException>(() => one.WriteStateAsync("s", Grain("g"), fresh)); // ETag null: must not exist

        var read = new GrainState<List<string>>();
        await one.ReadStateAsync("s", Grain("g"), read);
        Assert.Equal(("b", "2"), (read.State!.Single(), read.ETag));
        await one.ClearStateAsync("s", Grain("g"), read);
        await other.ReadStateAsync("s", Grain("g"), read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task A_file_of_the_older_format_without_the_header_is_read_and_rewritten()
    {
        var storage = NewStorage();
        var legacy = _services.GetRequiredService<Serializer>().SerializeToArray(new StoredState<List<string>>(7, ["old"]));
        Assert.NotEqual(0, legacy[0]); // the header's first byte tells the formats apart
        var directory = Path.Combine(_root, "state", "s");
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, Uri.EscapeDataString(Grain("g").ToString())), legacy);

        var state = new GrainState<List<string>>();
        await storage.ReadStateAsync("s", Grain("g"), state);
        Assert.Equal(("old", "7"), (state.State!.Single(), state.ETag));
        state.State = ["new"];
        await storage.WriteStateAsync("s", Grain("g"), state);
        Assert.Equal("8", state.ETag);
        var again = new GrainState<List<string>>();
        await NewStorage().ReadStateAsync("s", Grain("g"), again);
        Assert.Equal(("new", "8"), (again.State!.Single(), again.ETag));
    }

    [Fact]
    public async Task A_record_named_under_a_state_name_is_kept_beside_it_apart_from_it_and_expires_with_its_lifetime()
    {
        var clock = new OffsetClock();
        var storage = new FileGrainStorage(Options.Create(new FileStoreOptions { RootDirectory = _root }),
            _services.GetRequiredService<Serializer>(), clock, new Dictionary<string, TimeSpan> { ["s"] = TimeSpan.FromHours(1) });
        await storage.WriteStateAsync("s", Grain("g"), new GrainState<List<string>> { State = ["session"] });
        var page = new GrainState<List<string>> { State = ["page"] };
        await storage.WriteStateAsync("s/parts-3-0", Grain("g"), page);
        Assert.Equal("1", page.ETag); // its own record, not the session's (version 1 too)

        var directory = Path.Combine(_root, "state", "s");
        Assert.Equal([Uri.EscapeDataString(Grain("g").ToString()), Uri.EscapeDataString(Grain("g").ToString()) + "+parts-3-0"],
            Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var read = new GrainState<List<string>>();
        await storage.ReadStateAsync("s/parts-3-0", Grain("g"), read);
        Assert.Equal("page", read.State!.Single());

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, storage.RemoveExpired(CancellationToken.None));
        await storage.ReadStateAsync("s/parts-3-0", Grain("g"), read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Concurrent_writes_to_one_state_name_are_all_durable_and_readable()
    {
        var storage = NewStorage();
        var states = Enumerable.Range(0, 64).Select(i => new GrainState<List<string>> { State = [$"v{i}"] }).ToArray();
        await Task.WhenAll(states.Select((s, i) => Task.Run(() => storage.WriteStateAsync("s", Grain($"g{i}"), s))));
        Assert.InRange(storage.DirectoryFlushes, 1, 64);
        for (var i = 0; i < states.Length; i++)
        {
            var read = new GrainState<List<string>>();
            await storage.ReadStateAsync("s", Grain($"g{i}"), read);
            Assert.Equal(($"v{i}", "1"), (read.State!.Single(), read.ETag));
        }
    }

    [Fact]
    public async Task Callers_that_ask_while_a_directory_fsync_runs_share_the_next_one_which_starts_after_they_asked()
    {
        var started = new List<int>();
        var release = new SemaphoreSlim(0);
        var calls = 0;
        var sync = new DirectorySync(_ =>
        {
            lock (started) started.Add(Interlocked.Increment(ref calls));
            release.Wait();
        });
        var first = sync.FlushAsync("d");
        await Eventually.True(() => Volatile.Read(ref calls) == 1, Deadline, "the first fsync runs");
        var waiting = Enumerable.Range(0, 10).Select(_ => sync.FlushAsync("d")).ToArray();
        Assert.False(first.IsCompleted);
        release.Release(); // the first fsync ends: it covered only the first caller
        await first;
        await Eventually.True(() => Volatile.Read(ref calls) == 2, Deadline, "the second fsync runs");
        Assert.All(waiting, w => Assert.False(w.IsCompleted)); // their rename may have come after the first fsync began
        release.Release();
        await Task.WhenAll(waiting);
        Assert.Equal(2, sync.Flushes);
        Assert.Equal([1, 2], started);
    }

    [Fact]
    public async Task A_caller_that_flushes_here_runs_the_fsync_on_its_own_thread_when_none_runs_and_joins_the_next_when_one_does()
    {
        var threads = new List<int>();
        var release = new SemaphoreSlim(0);
        var calls = 0;
        var sync = new DirectorySync(_ =>
        {
            lock (threads) threads.Add(Environment.CurrentManagedThreadId);
            if (Interlocked.Increment(ref calls) > 1) release.Wait(); // the first returns at once, every later one is held
        });

        var alone = sync.FlushHereAsync("d");
        Assert.True(alone.IsCompletedSuccessfully); // no fsync ran: this caller ran it, here, before returning
        Assert.Equal([Environment.CurrentManagedThreadId], threads);

        var leading = Task.Run(() => sync.FlushHereAsync("d")); // runs the second fsync on its own thread, held
        await Eventually.True(() => Volatile.Read(ref calls) == 2, Deadline, "the second fsync runs");
        var joining = Enumerable.Range(0, 5).Select(_ => sync.FlushHereAsync("d")).ToArray();
        Assert.All(joining, j => Assert.False(j.IsCompleted)); // they asked after it began: the one after it covers them
        release.Release();
        await leading;
        await Eventually.True(() => Volatile.Read(ref calls) == 3, Deadline, "the third fsync runs");
        Assert.All(joining, j => Assert.False(j.IsCompleted));
        release.Release();
        await Task.WhenAll(joining);
        Assert.Equal(3, sync.Flushes);
    }
}
