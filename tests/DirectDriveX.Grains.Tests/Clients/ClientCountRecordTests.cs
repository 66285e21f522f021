using DirectDriveX.Grains.Clients;

namespace DirectDriveX.Grains.Tests.Clients;

/// <summary>
/// A client's count written behind its answer (<see cref="ClientCountRecord.SaveBehind"/>, a one-request upload's admission)
/// is durable once <see cref="ClientCountRecord.DurableAsync"/> returns, which is what the session waits for before anyone
/// hears of the upload (<c>Counts</c>): when the write behind failed, it writes again; when that fails too, it throws, so the
/// session never takes an unwritten count for a written one.
/// </summary>
public class ClientCountRecordTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);

    [Fact]
    public async Task A_write_behind_that_failed_is_written_again_before_the_count_is_durable()
    {
        var state = new ScriptedState { FailingWrites = 1 };
        var record = new ClientCountRecord(state);
        Admit(record, "u1");

        record.SaveBehind(); // fails: the storage is down for this one write
        await Eventually.Holds(() => Task.FromResult(state.Attempts), attempts => attempts == 1, TimeSpan.FromSeconds(10), "the write behind tried");
        Assert.Null(state.Stored);

        await record.DurableAsync();

        Assert.Equal(2, state.Attempts);
        Assert.Equal(["u1"], state.Stored!.Live.Keys);
    }

    [Fact]
    public async Task A_count_whose_writes_keep_failing_is_never_reported_durable()
    {
        var state = new ScriptedState { FailingWrites = 2 };
        var record = new ClientCountRecord(state);
        Admit(record, "u1");

        record.SaveBehind();
        var thrown = await Assert.ThrowsAsync<IOException>(record.DurableAsync);

        Assert.Equal("storage down (write 2)", thrown.Message);
        Assert.Null(state.Stored);
        await record.DurableAsync(); // the storage is back: the next confirmation writes it
        Assert.Equal(["u1"], state.Stored!.Live.Keys);
    }

    [Fact]
    public async Task A_write_behind_that_landed_is_not_written_again()
    {
        var state = new ScriptedState();
        var record = new ClientCountRecord(state);
        Admit(record, "u1");

        record.SaveBehind();
        await record.DurableAsync();

        Assert.Equal(1, state.Attempts);
        Assert.Equal(["u1"], state.Stored!.Live.Keys);
    }

    private static void Admit(ClientCountRecord record, string uploadId)
    {
        var count = record.Count;
        count.Live[uploadId] = new CountedUpload(4096, DateTimeOffset.UnixEpoch, Today);
        record.Count = count with { Day = Today, BytesToday = count.BytesToday + 4096 };
    }

    /// <summary>Grain state whose first <see cref="FailingWrites"/> writes fail; what the last write that landed stored.</summary>
    private sealed class ScriptedState : IPersistentState<UploadClientState>
    {
        public int FailingWrites { get; init; }

        public int Attempts { get; private set; }

        public UploadClientState? Stored { get; private set; }

        public UploadClientState State { get; set; } = new();

        public string? Etag => null;

        public bool RecordExists => Stored is not null;

        public async Task WriteStateAsync()
        {
            await Task.Yield();
            var attempt = ++Attempts;
            if (attempt <= FailingWrites) throw new IOException($"storage down (write {attempt})");
            Stored = State with { Live = new Dictionary<string, CountedUpload>(State.Live) };
        }

        public Task ClearStateAsync()
        {
            Attempts++;
            Stored = null;
            return Task.CompletedTask;
        }

        public Task ReadStateAsync() => Task.CompletedTask;
    }
}
