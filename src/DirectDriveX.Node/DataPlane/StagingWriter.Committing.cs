using System.Threading.Channels;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>The writer's committer: chunk ends queued by the receive path are made durable in the store (as one when they
/// queued up meanwhile), recorded with the session grain under this writer's epoch, and acknowledged.</summary>
public sealed partial class StagingWriter
{
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
        Volatile.Write(ref _parts, StagedLayout.AfterCommit(Parts, from, end, staged.Parts));
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
