using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>The writer's receive path: space in the pooled buffer, bytes accepted slice by slice into the epoch's staging
/// file, chunk ends queued for the committer, the buffer given back whenever the client goes quiet.</summary>
public sealed partial class StagingWriter
{
    /// <summary>Space to receive into: the rest of the pooled buffer, which holds one slice of the chunk (the bytes received
    /// and not yet written to the file come first). A receive never takes more than a slice, so what arrives goes to the file
    /// while it is still in cache (a WebSocket receive fills all the space it is given before it returns).</summary>
    public async ValueTask<Memory<byte>> GetMemoryAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        if (_filled == 0) await WaitForCommitsAsync(cancellationToken);
        if (_buffer is null)
        {
            _buffer = await _pool.RentAsync(cancellationToken) ?? throw new UploadRefusedException(new UploadRefusal(
                RefusalReason.BuffersExhausted, "This node has no free chunk buffer; retry shortly."));
        }
        var pending = _filled - _written;
        return _buffer.Memory[pending..Math.Min(ChunkLength - _written, _buffer.Memory.Length)];
    }

    /// <summary>Before a new chunk is received: on a store that keeps received bytes on the node's scratch disk until they are
    /// committed (an object store), wait while more than one chunk is not in the store yet, with the pooled buffer given back and the
    /// socket not read (back-pressure: TCP's window closes and the client waits). The scratch so holds at most the chunk being
    /// committed and the one being received: two chunks per live upload, however slow the store. A writer that holds its commits
    /// (<see cref="UploadSessionHandle.OpenHeldWriterAsync"/>) is bound alike: it sends its chunks to the store as they fill and records them only at its end.</summary>
    private async ValueTask WaitForCommitsAsync(CancellationToken cancellationToken)
    {
        if (!_file.KeepsBytesUntilCommitted) return;
        while (true)
        {
            var ended = _commitEnded.Next;
            var committer = Committer();
            if (_failure is not null || committer.IsCompleted || _chunkStart - Interlocked.Read(ref _stored) <= _chunkSize) break;
            await PauseAsync();
            await WaitCheckingInAsync(Task.WhenAny(ended, committer), cancellationToken);
        }
        ThrowIfFailed();
    }

    /// <summary>The client has nothing more to send right now: what was received goes to the file, and the pooled buffer goes
    /// back to the pool until more arrives (<see cref="GetMemoryAsync"/> rents one again). A connection so holds a buffer only
    /// while bytes are between its socket and the disk, not while it waits for them: a node's few buffers serve many slow
    /// connections. Call it only between receives.</summary>
    public async ValueTask PauseAsync()
    {
        if (_buffer is null) return;
        if (_failure is null)
        {
            await WritePendingAsync();
            if (CommitTimingPolicy.CommitsWhenQuiet(_timing) && _filled > 0 && _clock.GetElapsedTime(_lastCommitQueuedAt) >= QuietCommitInterval)
                QueueCommit(_chunkStart + _filled); // the chunk goes on from here; its end commits the rest
        }
        _buffer.Dispose();
        _buffer = null;
    }

    /// <summary>Waits until <paramref name="source"/> has bytes (a zero-byte read), giving the buffer back meanwhile when they
    /// are not there yet (<see cref="PauseAsync"/>). A stream that cannot wait so answers at once, and the buffer is kept.</summary>
    public async ValueTask WaitForDataAsync(Stream source, CancellationToken cancellationToken)
    {
        var ready = source.ReadAsync(Memory<byte>.Empty, cancellationToken);
        if (!ready.IsCompleted) await PauseAsync();
        await ready;
    }

    /// <summary>Accepts <paramref name="count"/> bytes received into the memory from <see cref="GetMemoryAsync"/>.</summary>
    public async ValueTask AdvanceAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ChunkLength - _filled);
        if (ReceivedOffset + count > _size) throw new UploadRefusedException(PastTheEnd());
        _filled += count;
        CheckInWhenDue();
        if (_filled == ChunkLength || ReceivedOffset == _size) await EndChunkAsync();
        else if (_filled - _written >= _buffer!.Memory.Length) await WritePendingAsync();
        // Everything received is in the file and other connections wait for a buffer: take turns, a slice at a time.
        if (_filled == _written && _pool.HasWaiters) await PauseAsync();
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var memory = await GetMemoryAsync(cancellationToken);
            var count = Math.Min(memory.Length, data.Length);
            data[..count].CopyTo(memory);
            await AdvanceAsync(count, cancellationToken);
            data = data[count..];
        }
    }

    /// <summary>Reads <paramref name="source"/> to its end (at most <paramref name="maxBytes"/>; more is a refusal) into the upload.</summary>
    public async Task<long> CopyFromAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        long copied = 0;
        while (true)
        {
            await WaitForDataAsync(source, cancellationToken);
            var memory = await GetMemoryAsync(cancellationToken);
            var read = await source.ReadAsync(memory, cancellationToken);
            if (read == 0) return copied;
            copied += read;
            if (copied > maxBytes) throw new UploadRefusedException(PastTheEnd());
            await AdvanceAsync(read, cancellationToken);
        }
    }

    private async ValueTask EndChunkAsync()
    {
        await WritePendingAsync();
        var end = _chunkStart + _filled;
        _chunkStart = end;
        _filled = _written = 0;
        switch (CommitTimingPolicy.AtChunkEnd(_timing, end, _size, _file.KeepsBytesUntilCommitted))
        {
            case ChunkEndStep.Hold:
                _heldEnd = end;
                break;
            case ChunkEndStep.HoldAndSend:
                _heldEnd = end;
                QueueCommit(end); // to the store now, recorded once the body is verified
                break;
            case ChunkEndStep.LeaveToCompletion:
                _finalEnd = end; // committed with the completion, or by CompleteAsync
                break;
            default:
                QueueCommit(end);
                break;
        }
    }

    private void QueueCommit(long end)
    {
        _lastCommitQueuedAt = _clock.GetTimestamp();
        Enqueue(end);
    }

    /// <summary>Writes the received bytes not yet in the file. They count as written only once the write succeeded; any
    /// failure fails the writer, so nothing it did not write is ever committed. The write is not cancelled when the client
    /// goes away (it is a page-cache copy): what arrived is written, and committed by <see cref="CompleteAsync"/>.</summary>
    private async ValueTask WritePendingAsync()
    {
        if (_filled == _written) return;
        var data = _buffer!.Memory[..(_filled - _written)];
        var offset = _chunkStart + _written;
        try
        {
            var committed = CommittedOffset;
            if (offset < committed)
            {
                var replayed = (int)Math.Min(data.Length, committed - offset);
                await VerifyReplayedAsync(offset, data[..replayed], CancellationToken.None);
                offset += replayed;
                data = data[replayed..];
            }
            if (!data.IsEmpty && !await _upload.WriteAsync(_generation, _file, offset, data, CancellationToken.None))
                throw Fail(WriterRefusals.TakenOver);
        }
        catch (IOException e)
        {
            throw Fail(StorageRefusal(e, $"This node could not write the upload's bytes: {e.Message}"));
        }
        catch (Exception e) when (e is not UploadRefusedException)
        {
            throw Fail(new UploadRefusal(RefusalReason.StorageFailure, $"This node could not write the upload's bytes: {e.Message}"));
        }
        _written = _filled;
    }

    /// <summary>Bytes below the committed offset must be the ones already staged there (<see cref="ReplayedBytes"/>). Below the
    /// parts this writer was granted, the session gives every part, once (those parts are sealed: no commit replaces them).</summary>
    private async ValueTask VerifyReplayedAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var parts = Parts;
        if (offset < _partsFrom)
        {
            if (_sealedParts is null)
            {
                var every = await _grain.GetParts(_epoch);
                if (every.Refusal is { } refused) throw Fail(refused);
                _sealedParts = every.Parts;
            }
            parts = _sealedParts;
        }
        var match = await ReplayedBytes.MatchAsync(_store, _upload.UploadId, parts, offset, data, cancellationToken);
        if (match != ReplayedBytes.Match.Same) throw Fail(WriterRefusals.Replayed(match, offset, CommittedOffset));
    }
}
