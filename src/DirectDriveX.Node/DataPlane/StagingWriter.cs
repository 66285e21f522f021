using DirectDriveX.Storage;
using System.Threading.Channels;
using DirectDriveX.Node.Buffers;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;

namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// One connection's writer: the data plane every protocol adapter writes through. Bytes are received straight into one
/// buffer rented from the node's <see cref="ChunkBufferPool"/>, written at their offset in its epoch's staging file in slices as
/// they arrive (hashed on the way), and at every chunk boundary handed to a committer that makes them durable in the store
/// (an fsync; an S3 part or staged object; an Azure block) and records the parts that hold them with the session grain,
/// then acknowledges. The buffer is reused for the next chunk as soon as its bytes
/// are in the file, and given back whenever the client has nothing more to send right now (<see cref="PauseAsync"/>), so a
/// connection holds a pooled buffer only while its bytes are between the socket and the disk; a commit never carries bytes.
/// Bytes a client sends again below the committed offset (a client that restarts from 0) are compared with what is
/// staged, not written: the same bytes are acknowledged again, different ones refused.
/// </summary>
public sealed partial class StagingWriter : IAsyncDisposable
{
    /// <summary>Received bytes are written to the file once this many are pending (or at a chunk's end): large enough to keep
    /// system calls few, small enough to stay in cache between the socket copy, the hash and the page-cache copy.</summary>
    public const int WriteSliceBytes = 256 * 1024;

    /// <summary>A connection that goes quiet mid-chunk has what it sent committed (and acknowledged) when this long has passed
    /// since its last commit: a slow client hears about its bytes within about a second, not after a whole chunk (6.4 MiB
    /// of a 64 MiB file is over 3 s at 2 MB/s), while a fast one, never quiet, still commits once per chunk.</summary>
    public static readonly TimeSpan QuietCommitInterval = TimeSpan.FromSeconds(1);

    private readonly IUploadSessionGrain _grain;
    private readonly string _nodeId;
    private readonly StagedUpload _upload;
    private readonly int _generation;
    private readonly int _epoch;
    private readonly IStagingFile _file;
    private readonly IUploadStore _store;
    private readonly ChunkBufferPool _pool;
    private readonly UploadMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly int _chunkSize;
    private readonly long _size;
    /// <summary>The upload's length is not declared yet: <see cref="_size"/> is the most it may become.</summary>
    private readonly bool _sizeIsLimit;
    private readonly Func<long, ValueTask> _onCommitted;
    private readonly Channel<long> _commits = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _failed = new();
    private readonly CommitSignal _commitEnded = new();
    private readonly Task _committer;
    private ChunkBuffer? _buffer;
    private long _chunkStart;
    private int _filled;
    private int _written;
    private long _committed;
    /// <summary>Bytes the store holds (its commit returned), before the session has recorded them.</summary>
    private long _stored;
    private StagedPart[] _parts;
    private string? _storeUploadId;
    private volatile UploadRefusal? _failure;
    private bool _completed;
    private bool _holding;
    private long _heldEnd = -1;
    /// <summary>What the store holds of a held body, not recorded by the session until the body is verified.</summary>
    private readonly List<StagedCommit> _held = [];
    /// <summary>The end of the upload's last range, written and not committed yet (<see cref="CompleteForStoringAsync"/>).</summary>
    private long _finalEnd = -1;
    private readonly bool _finalAtCompletion;
    /// <summary>A small file (<see cref="WholeAtCompletionBytes"/>) written by the request that started it, whose client has
    /// heard nothing of it yet, and whose writer acknowledges nothing per commit: no range is
    /// committed before the request ends, so the upload is fsynced and recorded once, by its completion (issue 19). On a store
    /// that keeps bytes on the node until they are committed, only a file of at most two chunks (the scratch bound).</summary>
    private readonly bool _wholeAtCompletion;

    /// <summary>The largest file committed only when its request ends. Its client cannot resume before the answer names the
    /// upload in any case; the bound keeps a large file's pages dropped chunk by chunk after their fsync and its lease renewed
    /// by its commits.</summary>
    internal const long WholeAtCompletionBytes = 1024 * 1024;
    private long _lastCommitQueuedAt;

    /// <param name="generation">This writer's generation on this node (<see cref="StagedUpload.TakeOverAsync"/>).</param>
    /// <param name="grant">The session's answer to this node beginning to write: the fencing epoch, status and segments.</param>
    /// <param name="file">The epoch's staging file in the store.</param>
    internal StagingWriter(IUploadSessionGrain grain, string nodeId, StagedUpload upload, int generation, WritingGrant grant,
        IStagingFile file, IUploadStore store, ChunkBufferPool pool, UploadMetrics metrics, TimeProvider clock, long streamOffset,
        Func<long, ValueTask>? onCommitted, bool startedWithItsBody = false)
    {
        var status = grant.Status!;
        _grain = grain;
        _nodeId = nodeId;
        _upload = upload;
        _generation = generation;
        _epoch = grant.Epoch;
        _parts = grant.Parts;
        _storeUploadId = grant.StoreUploadId;
        _store = store;
        _file = file;
        _pool = pool;
        _metrics = metrics;
        _clock = clock;
        _chunkSize = status.ChunkSize;
        _size = status.Size;
        _sizeIsLimit = status.LengthDeferred;
        _committed = _stored = status.CommittedOffset;
        _chunkStart = streamOffset;
        _onCommitted = onCommitted ?? (_ => ValueTask.CompletedTask);
        _finalAtCompletion = onCommitted is null && !_sizeIsLimit; // nothing is acknowledged to the client per commit
        _wholeAtCompletion = _finalAtCompletion && startedWithItsBody && _size <= WholeAtCompletionBytes
            && (!file.KeepsBytesUntilCommitted || _size <= 2L * _chunkSize);
        _lastCommitQueuedAt = clock.GetTimestamp();
        _committer = CommitAsync();
        upload.Register(generation, StopCommitting);
    }

    /// <summary>The fencing epoch this writer writes and commits under.</summary>
    internal int Epoch => _epoch;

    /// <summary>Where the committed bytes are staged, this writer's commits included.</summary>
    internal StagedPart[] Parts => Volatile.Read(ref _parts);

    /// <summary>The store's id of the upload (an S3 multipart upload id), once it has one.</summary>
    internal string? StoreUploadId => Volatile.Read(ref _storeUploadId);

    /// <summary>Bytes durably committed by the session so far.</summary>
    public long CommittedOffset => Interlocked.Read(ref _committed);

    /// <summary>The current chunk's length: chunks end on multiples of the chunk size, also after a resume from an offset
    /// between two, so commits fall on an object store's part boundaries (parts are chunk-sized) and a part is sent once.</summary>
    private int ChunkLength => _chunkSize - (int)(_chunkStart % _chunkSize);

    /// <summary>Offset of the next byte this writer will accept.</summary>
    public long ReceivedOffset => _chunkStart + _filled;

    /// <summary>Cancelled when a write or commit is refused or fails.</summary>
    public CancellationToken Failed => _failed.Token;

    /// <summary>Runs <paramref name="answer"/> with the refusal as soon as one happens, so a client waiting for
    /// acknowledgements hears why at once. Dispose the result to stop listening.</summary>
    public IDisposable OnFailure(Func<UploadRefusal, Task> answer) =>
        _failed.Token.Register(() => _ = answer(_failure!));

    /// <summary>Space to receive into: the rest of the current slice of the chunk in the pooled buffer. A receive never takes
    /// more than a slice, so what arrives goes to the file while it is still in cache (a WebSocket receive fills all the
    /// space it is given before it returns).</summary>
    public async ValueTask<Memory<byte>> GetMemoryAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        if (_filled == 0) await WaitForCommitsAsync(cancellationToken);
        if (_buffer is null)
        {
            _buffer = await _pool.RentAsync(_chunkSize, cancellationToken) ?? throw new UploadRefusedException(new UploadRefusal(
                RefusalReason.BuffersExhausted, "This node has no free chunk buffer; retry shortly."));
        }
        return _buffer.Memory[_filled..Math.Min(ChunkLength, _written + WriteSliceBytes)];
    }

    /// <summary>Before a new chunk is received: on a store that keeps received bytes on the node's scratch disk until they are
    /// committed (an object store), wait while more than one chunk is not in the store yet, with the pooled buffer given back and the
    /// socket not read (back-pressure: TCP's window closes and the client waits). The scratch so holds at most the chunk being
    /// committed and the one being received: two chunks per live upload, however slow the store. A writer that holds its commits
    /// (<see cref="HoldCommits"/>) is bound alike: it sends its chunks to the store as they fill and records them only at its end.</summary>
    private async ValueTask WaitForCommitsAsync(CancellationToken cancellationToken)
    {
        if (!_file.KeepsBytesUntilCommitted) return;
        while (true)
        {
            var ended = _commitEnded.Next;
            if (_failure is not null || _committer.IsCompleted || _chunkStart - Interlocked.Read(ref _stored) <= _chunkSize) break;
            await PauseAsync();
            await Task.WhenAny(ended, _committer).WaitAsync(cancellationToken);
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
            if (!_holding && _filled > 0 && _clock.GetElapsedTime(_lastCommitQueuedAt) >= QuietCommitInterval)
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
        if (_filled == ChunkLength || ReceivedOffset == _size) await EndChunkAsync();
        else if (_filled - _written >= WriteSliceBytes) await WritePendingAsync();
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

    /// <summary>From now on, bytes are written to the staging file at their offsets as they arrive, but nothing is committed
    /// until <see cref="CompleteAsync"/>; <see cref="DiscardAsync"/> gives them up instead. For a protocol that must verify a
    /// request's bytes (a checksum over the whole body) before any of them count: uncommitted bytes past the committed offset
    /// are overwritten by the next writer of the epoch, and a later epoch writes a staging file of its own, so discarded bytes are
    /// never part of a stored file. On an object store each chunk still goes to the store as it fills (the scratch keeps at most
    /// two), and the session records them all at the end: parts and blocks it never records are overwritten by the epoch's next
    /// writer or dropped with the upload. Before each such send the writer asks the session whether its epoch still holds
    /// (<see cref="IUploadSessionGrain.CheckWriter"/>), so a writer taken over by another node's epoch sends at most one more
    /// commit's S3 parts, in the part numbers a takeover leaves unused.</summary>
    public void HoldCommits()
    {
        if (ReceivedOffset != CommittedOffset)
            throw new InvalidOperationException("Commits can only be held before the writer has taken bytes.");
        _holding = true;
    }

    /// <summary>Writes and commits what was received (a partial chunk too), waits for every commit, and returns the committed
    /// offset. The writer takes no more bytes after.</summary>
    public async Task<long> CompleteAsync()
    {
        if (!_completed)
        {
            _completed = true;
            if (_failure is null && _filled > 0)
            {
                try { await EndChunkAsync(); }
                catch (UploadRefusedException) { }
            }
            if (_holding && _heldEnd >= 0 && _failure is null) _commits.Writer.TryWrite(_heldEnd);
            if (_finalEnd >= 0 && _failure is null) _commits.Writer.TryWrite(_finalEnd);
            _finalEnd = -1;
            _commits.Writer.TryComplete();
        }
        await _committer;
        await RecordHeldAsync();
        ThrowIfFailed();
        return CommittedOffset;
    }

    /// <summary>Ends a writer that holds its commits (<see cref="HoldCommits"/>) without committing anything it received: the
    /// committed offset stays where it was.</summary>
    public async Task DiscardAsync()
    {
        if (!_holding) throw new InvalidOperationException("Only a writer that holds its commits can discard them.");
        _completed = true;
        _heldEnd = -1;
        _commits.Writer.TryComplete();
        await _committer;
        _held.Clear(); // sent to the store, never recorded
        _file.Discard(CommittedOffset);
    }

    public async ValueTask DisposeAsync()
    {
        _commits.Writer.TryComplete();
        await _committer;
        _buffer?.Dispose();
        _buffer = null;
        await _file.DisposeAsync();
        _upload.Leave(_generation, CommittedOffset);
        _failed.Dispose();
    }

    /// <summary>Another connection took over: commit what was queued, take nothing more, and then fail with the refusal
    /// this connection's client is told at once (<see cref="OnFailure"/>), even if it is idle.</summary>
    private async Task StopCommitting()
    {
        _commits.Writer.TryComplete();
        await _committer;
        Fail(TakenOver);
    }

    /// <summary>Bytes past the end: past the declared size, or, for an upload whose length is not declared yet, past the largest
    /// file it may become (<c>Uploads:MaxFileSizeBytes</c>, or its client's limit).</summary>
    private UploadRefusal PastTheEnd() => _sizeIsLimit
        ? new UploadRefusal(RefusalReason.FileTooLarge, $"The data runs past {_size} bytes, the largest file this upload may become; its length was never declared.")
        : PastDeclaredSize.Refusal(_size);

    private static readonly UploadRefusal TakenOver =
        new(RefusalReason.InvalidState, "Another connection has taken over this upload; this one ends.");

    private async ValueTask EndChunkAsync()
    {
        await WritePendingAsync();
        var end = _chunkStart + _filled;
        _chunkStart = end;
        _filled = _written = 0;
        if (_holding)
        {
            _heldEnd = end;
            if (_file.KeepsBytesUntilCommitted) QueueCommit(end); // to the store now, recorded at the end
        }
        else if (_finalAtCompletion && (end == _size || _wholeAtCompletion)) _finalEnd = end; // committed with the completion, or by CompleteAsync
        else QueueCommit(end);
    }

    private void QueueCommit(long end)
    {
        _lastCommitQueuedAt = _clock.GetTimestamp();
        _commits.Writer.TryWrite(end);
    }

    /// <summary>Writes the received bytes not yet in the file. They count as written only once the write succeeded; any
    /// failure fails the writer, so nothing it did not write is ever committed. The write is not cancelled when the client
    /// goes away (it is a page-cache copy): what arrived is written, and committed by <see cref="CompleteAsync"/>.</summary>
    private async ValueTask WritePendingAsync()
    {
        if (_filled == _written) return;
        var data = _buffer!.Memory[_written.._filled];
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
                throw Fail(TakenOver);
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

    /// <summary>Bytes below the committed offset must be the ones already staged there.</summary>
    private async ValueTask VerifyReplayedAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var staged = System.Buffers.ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            var read = await _store.ReadStagedAsync(_upload.UploadId, Parts, offset, staged.AsMemory(0, data.Length), cancellationToken);
            if (read != data.Length)
                throw Fail(new UploadRefusal(RefusalReason.OffsetMismatch,
                    $"The bytes at offset {offset} are already committed, and the store cannot read them back to compare; the upload continues at {CommittedOffset}.",
                    ExpectedOffset: CommittedOffset));
            if (!staged.AsSpan(0, read).SequenceEqual(data.Span))
                throw Fail(new UploadRefusal(RefusalReason.OffsetMismatch,
                    $"The bytes at offset {offset} differ from the ones already committed there; the upload continues at {CommittedOffset}.",
                    ExpectedOffset: CommittedOffset));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(staged);
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
        var committed = _holding ? Interlocked.Read(ref _stored) : CommittedOffset;
        try
        {
            if (_holding && _file.KeepsBytesUntilCommitted && await _grain.CheckWriter(_epoch, _nodeId) is { } superseded)
            {
                Fail(superseded);
                return;
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
        if (_holding) _held.Add(staged);
        else await RecordAsync(from, end, staged, started);
    }

    /// <summary>A verified held body: the session records everything of it the store holds, as one commit.</summary>
    private async Task RecordHeldAsync()
    {
        if (_held.Count == 0 || _failure is not null) return;
        var from = CommittedOffset;
        var end = Interlocked.Read(ref _stored);
        var staged = new StagedCommit([.. _held.SelectMany(commit => commit.Parts)], _held.Select(commit => commit.StoreUploadId).FirstOrDefault(id => id is not null));
        _held.Clear();
        try
        {
            await RecordAsync(from, end, staged, _clock.GetTimestamp());
        }
        catch (Exception e)
        {
            FailCommit(e, from);
        }
    }

    private async Task RecordAsync(long from, long end, StagedCommit staged, long started)
    {
        var ack = await _grain.Commit(_epoch, from, end - from, _nodeId, staged);
        if (!ack.Accepted)
        {
            Fail(ack.Refusal!);
            return;
        }
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

    /// <summary>A full disk is the client's to wait out (the committed prefix stays, resumable once space returns); any other
    /// I/O error is a server fault.</summary>
    private UploadRefusal StorageRefusal(IOException e, string message) => IsDiskFull(e)
        ? new UploadRefusal(RefusalReason.InsufficientStorage,
            $"The file store is full; the upload keeps its {CommittedOffset} committed bytes: resume from there when space returns.",
            ExpectedOffset: CommittedOffset)
        : new UploadRefusal(RefusalReason.StorageFailure, message);

    /// <summary>ENOSPC (28) on Linux; ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    private static bool IsDiskFull(IOException e) => e.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027);

    private UploadRefusedException Fail(UploadRefusal refusal)
    {
        _failure ??= refusal;
        try { _failed.Cancel(); } catch (ObjectDisposedException) { }
        _commitEnded.Pulse();
        return new UploadRefusedException(_failure);
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } refusal) throw new UploadRefusedException(refusal);
    }
}
