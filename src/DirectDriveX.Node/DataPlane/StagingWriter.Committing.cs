using System.Threading.Channels;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>The writer's committer: chunk ends queued by the receive path are made durable in the store (as one when they
/// queued up meanwhile), recorded with the session grain under this writer's epoch, and acknowledged.</summary>
public sealed partial class StagingWriter
{
    /// <summary>
    /// Queues a range for the committer, started first if it is not running yet. The committer starts with the first range
    /// queued, not with the writer (issue 19, seventh round): a writer that never queues one, a small file whose only range
    /// its completion records (<see cref="CompleteForStoringAsync"/>), so neither schedules a committer nor waits at its end
    /// for one to notice that it had nothing to do (two thread-pool hops in the chain a client waits for, measured at a
    /// median of 3 ms under 16 uploads at once on two cores). It is started before the range is written, so whoever completes
    /// the channel and then reads <see cref="CommitterOrNone"/> sees the committer of every range that was written.
    /// </summary>
    private void Enqueue(long end)
    {
        Committer();
        _commits.Writer.TryWrite(end);
    }

    /// <summary>The committer, started now if no range started it before.</summary>
    private Task Committer()
    {
        lock (_committerGate) return _committer ??= CommitAsync();
    }

    /// <summary>The committer, or a completed task when no range was ever queued: once the channel is completed, nothing is
    /// left to commit then.</summary>
    private Task CommitterOrNone
    {
        get
        {
            lock (_committerGate) return _committer ?? Task.CompletedTask;
        }
    }

    private async Task CommitAsync()
    {
        await Task.Yield();
        if (_file.CommitsConcurrently)
        {
            await CommitConcurrentlyAsync();
            return;
        }
        var reader = _commits.Reader;
        while (await reader.WaitToReadAsync())
        {
            await CommitQueuedAsync(reader);
            _commitEnded.Pulse();
        }
    }

    /// <summary>Commits what is queued (as one: commits that queued up while the last one ran go together).</summary>
    private async Task CommitQueuedAsync(ChannelReader<long> reader)
    {
        var end = 0L;
        while (reader.TryRead(out var next)) end = next;
        if (_failure is not null) return;
        var committed = Holding ? Interlocked.Read(ref _stored) : CommittedOffset;
        try
        {
            if (Holding && _file.KeepsBytesUntilCommitted)
            {
                Heard();
                if (await _grain.CheckWriterSending(_epoch, _nodeId, _file.LastPartNumber(committed, end)) is { } superseded)
                {
                    Fail(superseded);
                    return;
                }
            }
            if (end <= committed)
            {
                await _onCommitted(end); // bytes sent again that were already committed: acknowledged again
                return;
            }
            var started = _clock.GetTimestamp();
            var staged = await _file.CommitAsync(committed, end, CancellationToken.None);
            await StoredAsync(committed, end, staged, started);
        }
        catch (Exception e)
        {
            FailCommit(e, committed);
        }
    }

    /// <summary>The store holds [<paramref name="from"/>, <paramref name="end"/>): its scratch is gone, so a writer waiting to
    /// receive its next chunk goes on while the session records the range and the client is told (a held body's ranges are
    /// recorded together once it is verified: <see cref="RecordHeldAsync"/>).</summary>
    private async Task StoredAsync(long from, long end, StagedCommit staged, long started)
    {
        Interlocked.Exchange(ref _stored, end);
        _commitEnded.Pulse();
        if (Holding) _held.Add(staged);
        else await RecordAsync(from, end, staged, started);
    }

    private async Task RecordAsync(long from, long end, StagedCommit staged, long started)
    {
        var ack = await _grain.Commit(_epoch, from, end - from, _nodeId, staged);
        if (!ack.Accepted)
        {
            Fail(ack.Refusal!);
            return;
        }
        Heard();
        Volatile.Write(ref _parts, StagedLayout.AfterCommit(Parts, from, end, staged.Parts, _partsFrom));
        Volatile.Write(ref _storeUploadId, StoreUploadId ?? staged.StoreUploadId);
        Interlocked.Exchange(ref _committed, ack.CommittedOffset);
        _metrics.RecordChunkWrite(_clock.GetElapsedTime(started));
        await _onCommitted(ack.CommittedOffset);
    }

    /// <summary>A commit that failed: the store's error, or the session out of reach. Anything else is a fault.</summary>
    private void FailCommit(Exception e, long committed)
    {
        switch (e)
        {
            case IOException io:
                Fail(StorageRefusal(io, $"This node could not make the bytes at {committed} durable: {io.Message}"));
                break;
            case OrleansException or TimeoutException:
                Fail(new UploadRefusal(RefusalReason.NodeUnavailable, "The upload's session could not be reached; reconnect to continue."));
                break;
            default:
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
                break;
        }
    }
}
