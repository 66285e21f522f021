using DirectDriveX.Storage;
using System.Threading.Channels;
using DirectDriveX.Node.Buffers;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;

namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// One connection's writer: the data plane every protocol adapter writes through. Bytes are received straight into one
/// buffer rented from the node's <see cref="ChunkBufferPool"/>, written at their offset in its epoch's staging file a slice (the
/// buffer's size) at a time as they arrive (hashed on the way), and at every chunk boundary handed to a committer that makes
/// them durable in the store (an fsync; an S3 part or staged object; an Azure block) and records the parts that hold them with
/// the session grain, then acknowledges. The buffer is reused for the next slice as soon as its bytes are in the file, and
/// given back whenever the client has nothing more to send right now (<see cref="PauseAsync"/>), so a
/// connection holds a pooled buffer only while its bytes are between the socket and the disk; a commit never carries bytes.
/// Bytes a client sends again below the committed offset (a client that restarts from 0) are compared with what is
/// staged, not written: the same bytes are acknowledged again, different ones refused.
/// </summary>
public sealed partial class StagingWriter : IAsyncDisposable
{
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
    private readonly Lock _committerGate = new();
    /// <summary>Started by the first range queued (<see cref="Committer"/>); null while none was.</summary>
    private Task? _committer;
    private ChunkBuffer? _buffer;
    private long _chunkStart;
    private int _filled;
    private int _written;
    private long _committed;
    /// <summary>Bytes the store holds (its commit returned), before the session has recorded them.</summary>
    private long _stored;
    /// <summary>The committed parts from <see cref="_partsFrom"/> on (the grant's, with this writer's commits).</summary>
    private StagedPart[] _parts;
    private readonly long _partsFrom;
    /// <summary>Every committed part below <see cref="_partsFrom"/>, asked of the session once bytes are sent again there.</summary>
    private StagedPart[]? _sealedParts;
    private string? _storeUploadId;
    private volatile UploadRefusal? _failure;
    private bool _completed;
    /// <summary>When this writer's ranges become commits, as the lifecycle chose for it (<see cref="CommitTimingPolicy"/>).</summary>
    private readonly CommitTiming _timing;
    private long _heldEnd = -1;
    /// <summary>What the store holds of a held body, not recorded by the session until the body is verified.</summary>
    private readonly List<StagedCommit> _held = [];
    /// <summary>The end of the upload's last range, written and not committed yet (<see cref="CompleteForStoringAsync"/>).</summary>
    private long _finalEnd = -1;
    private long _lastCommitQueuedAt;

    /// <param name="generation">This writer's generation on this node (<see cref="StagedUpload.TakeOverAsync"/>).</param>
    /// <param name="grant">The session's answer to this node beginning to write: the fencing epoch, status and segments.</param>
    /// <param name="file">The epoch's staging file in the store.</param>
    internal StagingWriter(IUploadSessionGrain grain, string nodeId, StagedUpload upload, int generation, WritingGrant grant,
        IStagingFile file, IUploadStore store, ChunkBufferPool pool, UploadMetrics metrics, TimeProvider clock, long streamOffset,
        Func<long, ValueTask>? onCommitted, CommitTiming timing)
    {
        var status = grant.Status!;
        _timing = timing;
        _grain = grain;
        _nodeId = nodeId;
        _upload = upload;
        _generation = generation;
        _epoch = grant.Epoch;
        _parts = grant.Parts;
        _partsFrom = grant.PartsFrom;
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
        _lastCommitQueuedAt = _heardAt = clock.GetTimestamp();
        _checkInInterval = grant.CheckInInterval;
        upload.Register(generation, StopCommitting);
    }

    /// <summary>A body held for its checksum (<see cref="CommitTiming.HeldUntilVerified"/>).</summary>
    private bool Holding => _timing == CommitTiming.HeldUntilVerified;

    /// <summary>The fencing epoch this writer writes and commits under.</summary>
    internal int Epoch => _epoch;

    /// <summary>Where the committed bytes from <see cref="PartsFrom"/> on are staged, this writer's commits included.</summary>
    internal StagedPart[] Parts => Volatile.Read(ref _parts);

    /// <summary>Where <see cref="Parts"/> begin: 0 when they are every part, else the parts before are the session's to give
    /// (<see cref="IUploadSessionGrain.GetParts"/>).</summary>
    internal long PartsFrom => _partsFrom;

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

    /// <summary>Writes and commits what was received (a partial chunk too), waits for every commit, and returns the committed
    /// offset. The writer takes no more bytes after.</summary>
    public async Task<long> CompleteAsync()
    {
        await EndCommitsAsync(queueLastRange: true);
        return CommittedOffset;
    }

    /// <summary>The connection ended before the upload did (its client went away, or this node or gateway is leaving): what
    /// arrived is committed, so the client resumes from there, and a refusal meanwhile leaves what was committed before it.
    /// A body held for its checksum (<see cref="UploadSessionHandle.OpenHeldWriterAsync"/>) was never verified, so none of it is kept. Returns the committed
    /// offset; never throws a refusal.</summary>
    public async Task<long> KeepWhatArrivedAsync()
    {
        if (Holding)
        {
            await DiscardAsync();
            return CommittedOffset;
        }
        try
        {
            return await CompleteAsync();
        }
        catch (UploadRefusedException)
        {
            return CommittedOffset;
        }
    }

    /// <summary>Ends the writer once: what was received ends its chunk, a held body's end is queued, and the upload's last
    /// range (<see cref="_finalEnd"/>) is queued as a commit or, without <paramref name="queueLastRange"/>, handed back for the
    /// completion to record (<see cref="CompleteForStoringAsync"/>); then every commit is awaited and a held body recorded.
    /// Returns the last range's end when it was handed back, else -1; a refusal is thrown.</summary>
    private async Task<long> EndCommitsAsync(bool queueLastRange)
    {
        var last = -1L;
        if (!_completed)
        {
            _completed = true;
            if (_failure is null && _filled > 0)
            {
                try { await EndChunkAsync(); }
                catch (UploadRefusedException) { }
            }
            if (Holding && _heldEnd >= 0 && _failure is null) Enqueue(_heldEnd);
            (last, _finalEnd) = (_finalEnd, -1);
            if (queueLastRange)
            {
                if (last >= 0 && _failure is null) Enqueue(last);
                last = -1;
            }
            _commits.Writer.TryComplete();
        }
        await WaitCheckingInAsync(CommitterOrNone, CancellationToken.None);
        await RecordHeldAsync();
        ThrowIfFailed();
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        _commits.Writer.TryComplete();
        await CommitterOrNone;
        await _checkIn;
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
        await CommitterOrNone;
        Fail(WriterRefusals.TakenOver);
    }

    /// <summary>Bytes past the end: past the declared size, or past the largest file an upload without a declared length may become.</summary>
    private UploadRefusal PastTheEnd() => WriterRefusals.PastTheEnd(_size, _sizeIsLimit);

    private UploadRefusal StorageRefusal(IOException e, string message) => WriterRefusals.Storage(e, CommittedOffset, message);

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
