using System.Threading.Channels;
using DirectDriveX.Grains.Storage;

namespace DirectDriveX.Grains.Tests.Storage;

/// <summary>Group commit of one grain's state writes: a caller returns only after a write that started after it asked, callers
/// that ask while a write runs share the next one, and two writes never run at once.</summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Each write the commit starts, held open until the test completes it.</summary>
    private readonly Channel<TaskCompletionSource> _writes = Channel.CreateUnbounded<TaskCompletionSource>();
    private int _running;
    private int _overlaps;

    private GroupCommit NewCommit() => new(() =>
    {
        if (Interlocked.Increment(ref _running) > 1) Interlocked.Increment(ref _overlaps);
        var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _writes.Writer.TryWrite(write);
        return write.Task.ContinueWith(t => { Interlocked.Decrement(ref _running); t.GetAwaiter().GetResult(); }, TaskScheduler.Default);
    });

    private async Task<TaskCompletionSource> NextWrite() => await _writes.Reader.ReadAsync().AsTask().WaitAsync(Deadline);

    [Fact]
    public async Task Callers_that_ask_while_a_write_runs_share_the_next_one_and_return_only_once_it_landed()
    {
        var commit = NewCommit();
        var first = commit.WriteAsync();
        var write1 = await NextWrite();
        var joined = Enumerable.Range(0, 5).Select(_ => commit.WriteAsync()).ToList();
        Assert.False(_writes.Reader.TryRead(out _)); // no second write while the first runs
        Assert.False(first.IsCompleted);

        write1.SetResult();
        await first.WaitAsync(Deadline);
        var write2 = await NextWrite(); // one write for the five that asked during the first
        Assert.All(joined, j => Assert.False(j.IsCompleted)); // their changes may postdate the first write: not durable yet
        Assert.False(commit.WrittenAsync().IsCompleted);

        write2.SetResult();
        await Task.WhenAll(joined).WaitAsync(Deadline);
        await commit.FlushAsync().WaitAsync(Deadline);
        Assert.False(_writes.Reader.TryRead(out _));
        Assert.Equal(0, _overlaps);
        Assert.True(commit.WrittenAsync().IsCompleted);
    }

    [Fact]
    public async Task A_failed_write_fails_its_callers_and_the_next_caller_writes_again()
    {
        var commit = NewCommit();
        var failing = commit.WriteAsync();
        (await NextWrite()).SetException(new IOException("disk gone"));
        Assert.Equal("disk gone", (await Assert.ThrowsAsync<IOException>(() => failing.WaitAsync(Deadline))).Message);

        await commit.FlushAsync().WaitAsync(Deadline);
        var again = commit.WriteAsync();
        (await NextWrite()).SetResult();
        await again.WaitAsync(Deadline);
    }
}
