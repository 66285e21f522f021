using System.Collections.Concurrent;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Pipeline;

/// <summary>
/// An in-memory upload session with the grain's offset rules (a chunk must start at the committed length; a chunk already
/// committed with the same bytes is a duplicate), which records what the pipeline does: calls in flight, their order.
/// A test can hold chunks back (<see cref="Hold"/>) to deliver calls out of order, or refuse one.
/// </summary>
public sealed class FakeUploadSession(long size, int chunkSize) : IUploadSessionGrain
{
    private readonly Lock _gate = new();
    private readonly MemoryStream _data = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _held = new();
    private int _inFlight;
    private int _started;

    public long Committed { get; private set; }
    public int MaxInFlight { get; private set; }
    public int Started { get { lock (_gate) return _started; } }
    public ConcurrentQueue<(long Offset, int Length, ChunkAck Ack)> Calls { get; } = new();
    public Func<long, UploadRefusal?>? RefuseAt { get; set; }
    public byte[] Data { get { lock (_gate) return _data.ToArray(); } }

    /// <summary>Holds the first call at <paramref name="offset"/> until the returned source is completed.</summary>
    public TaskCompletionSource Hold(long offset) => _held.GetOrAdd(offset, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public async Task<ChunkAck> WriteChunk(long offset, ReadOnlyMemory<byte> data)
    {
        var copy = data.ToArray();   // the grain copies too; the pipeline reuses its buffer once the call returns
        lock (_gate)
        {
            _started++;
            MaxInFlight = Math.Max(MaxInFlight, ++_inFlight);
        }
        try
        {
            if (_held.TryRemove(offset, out var hold)) await hold.Task;
            else await Task.Yield();
            var ack = Apply(offset, copy);
            Calls.Enqueue((offset, copy.Length, ack));
            return ack;
        }
        finally
        {
            lock (_gate) _inFlight--;
        }
    }

    private ChunkAck Apply(long offset, byte[] data)
    {
        lock (_gate)
        {
            if (RefuseAt?.Invoke(offset) is { } refusal) return ChunkAck.Refused(Committed, refusal);
            if (data.Length > chunkSize || offset + data.Length > size)
                return ChunkAck.Refused(Committed, UploadRefusal.Of(RefusalReason.ChunkTooLarge, "too large"));
            if (offset + data.Length <= Committed)
            {
                var held = _data.ToArray().AsSpan((int)offset, data.Length);
                return held.SequenceEqual(data)
                    ? new ChunkAck(Committed, true, null)
                    : ChunkAck.Refused(Committed, new UploadRefusal(RefusalReason.OffsetMismatch, "differs", Committed));
            }
            if (offset != Committed)
                return ChunkAck.Refused(Committed, new UploadRefusal(RefusalReason.OffsetMismatch, "gap", Committed));
            _data.Position = offset;
            _data.Write(data);
            Committed = offset + data.Length;
            return new ChunkAck(Committed, false, null);
        }
    }

    public Task<UploadStartResult> Start(UploadRequest request) => throw new NotSupportedException();
    public Task<bool> Authorize(string resumeToken) => Task.FromResult(true);

    public Task<CompletionResult> Complete() => Task.FromResult(Committed == size
        ? new CompletionResult(new StoredFileRecord("f", "f", size, "", "application/octet-stream", DateTimeOffset.UnixEpoch, "n"), null)
        : new CompletionResult(null, new UploadRefusal(RefusalReason.Incomplete, "incomplete", Committed)));

    public Task Abort() => Task.CompletedTask;
    public Task<UploadStatus> GetStatus() => throw new NotSupportedException();
}
