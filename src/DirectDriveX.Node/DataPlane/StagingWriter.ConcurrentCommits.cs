using System.Threading.Channels;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

public sealed partial class StagingWriter
{
    /// <summary>Store commits one writer keeps in flight on a store whose commits are independent
    /// (<see cref="DirectDriveX.Storage.IStagingFile.CommitsConcurrently"/>).</summary>
    internal const int ConcurrentCommits = 2;

    /// <summary>A range handed to the store, not yet recorded by the session.</summary>
    private sealed record StoreCommit(long From, long End, long Started, Task<StagedCommit> Stored);

    /// <summary>
    /// The committer on a store that takes two commits at once (Azure: the blocks of one blob are independent requests). One
    /// request to the store at a time left it idle between a block's answer and the next request (the session's record, reading
    /// the next body), and a store that stages a block in several steps (Azurite writes it, then reads it back for its MD5) does
    /// the steps of two blocks side by side: the next queued range is sent while the one before is still being stored, and the
    /// session records them in order. The writer's bound is unchanged (<see cref="WaitForCommitsAsync"/>: at most two chunks not
    /// yet in the store), so the scratch still holds at most two chunks; the two in flight are the chunk just received and the
    /// one before it.
    /// </summary>
    private async Task CommitConcurrentlyAsync()
    {
        var reader = _commits.Reader;
        var inFlight = new Queue<StoreCommit>();
        var sent = Interlocked.Read(ref _stored);
        var open = true;
        Task<bool>? more = null; // a wait for the next queued end, kept until it ends (the channel has one reader)
        while (open || inFlight.Count > 0)
        {
            // One queued end at a time: ends that queued up while the store was busy go as commits of their own, side by side,
            // rather than as one (a writer behind by two chunks would otherwise send them one after the other, in one commit).
            if (inFlight.Count < ConcurrentCommits && reader.TryRead(out var end))
            {
                if (_failure is not null) continue; // failed: what is queued is dropped, what is in flight is awaited
                if (end > sent)
                {
                    inFlight.Enqueue(new StoreCommit(sent, end, _clock.GetTimestamp(), _file.CommitAsync(sent, end, CancellationToken.None)));
                    sent = end;
                }
                else if (inFlight.Count == 0 && end <= CommittedOffset)
                {
                    await _onCommitted(end); // bytes sent again that were already committed: acknowledged again
                }
                continue;
            }
            if (open && inFlight.Count < ConcurrentCommits)
            {
                more ??= reader.WaitToReadAsync().AsTask();
                if (inFlight.Count == 0) await more;
                else await Task.WhenAny(inFlight.Peek().Stored, more);
                if (more.IsCompleted)
                {
                    open = await more;
                    more = null;
                    continue;
                }
            }
            var oldest = inFlight.Dequeue();
            await RecordStoredAsync(oldest);
            _commitEnded.Pulse();
        }
    }

    private async Task RecordStoredAsync(StoreCommit commit)
    {
        try
        {
            var staged = await commit.Stored;
            if (_failure is null) await StoredAsync(commit.From, commit.End, staged, commit.Started);
        }
        catch (Exception e)
        {
            if (_failure is null) FailCommit(e, commit.From);
        }
    }
}
