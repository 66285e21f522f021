using DirectDriveX.Storage.Objects;

namespace DirectDriveX.Grains.Tests.Storage;

public class StorePreparationTests
{
    [Fact]
    public async Task A_preparation_that_failed_is_run_again_by_the_next_caller_and_one_that_succeeded_never_again()
    {
        var runs = 0;
        var fails = true;
        var preparation = new StorePreparation(() =>
        {
            runs++;
            return fails ? Task.FromException(new IOException("the store is not up yet")) : Task.CompletedTask;
        });

        await Assert.ThrowsAsync<IOException>(preparation.EnsureAsync);
        fails = false; // the store is up now: no restart needed
        await preparation.EnsureAsync();
        await preparation.EnsureAsync();
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task Callers_that_come_while_it_runs_share_it()
    {
        var runs = 0;
        var done = new TaskCompletionSource();
        var preparation = new StorePreparation(() =>
        {
            runs++;
            return done.Task;
        });

        var waiting = Enumerable.Range(0, 5).Select(_ => preparation.EnsureAsync()).ToArray();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        done.SetResult();
        await Task.WhenAll(waiting);
        Assert.Equal(1, runs);
    }
}
