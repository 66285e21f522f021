using System.Buffers;
using System.Threading.Channels;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Uploads;

/// <summary>
/// The one upload pipeline every protocol adapter writes through. It cuts the incoming bytes into the session's chunks
/// (pooled buffers) and keeps up to the session's window of <see cref="IUploadSessionGrain.WriteChunk"/> calls in flight:
/// a new chunk buffer is taken only when a window slot is free, so the gateway never holds more than the reservation for
/// one upload. Acknowledgements are processed in order; a chunk whose call overtook an earlier one (an OffsetMismatch whose
/// expected offset is the chunk's own, once the earlier ones land) is sent again, and a chunk whose start the session
/// already holds (an OffsetMismatch whose expected offset falls inside it) is sent from that offset.
/// </summary>
public sealed class UploadWriter : IAsyncDisposable
{
    private const int MaxResends = 3;

    private readonly IUploadSessionGrain _grain;
    private readonly int _chunkSize;
    private readonly SemaphoreSlim _window;
    private readonly Channel<InFlight> _inFlight = Channel.CreateUnbounded<InFlight>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Func<long, CancellationToken, ValueTask> _onCommitted;
    private readonly CancellationTokenSource _failed = new();
    private readonly Task _drain;
    private byte[]? _current;
    private int _filled;
    private long _nextOffset;
    private long _committed;
    private volatile UploadRefusal? _failure;

    public UploadWriter(IUploadSessionGrain grain, int chunkSize, int maxChunksInFlight, long startOffset,
        Func<long, CancellationToken, ValueTask>? onCommitted = null)
    {
        _grain = grain;
        _chunkSize = chunkSize;
        _window = new SemaphoreSlim(Math.Max(1, maxChunksInFlight));
        _nextOffset = _committed = startOffset;
        _onCommitted = onCommitted ?? ((_, _) => ValueTask.CompletedTask);
        _drain = DrainAsync();
    }

    /// <summary>Bytes durably committed by the session so far.</summary>
    public long CommittedOffset => Interlocked.Read(ref _committed);

    /// <summary>Offset of the next byte this writer will accept.</summary>
    public long ReceivedOffset => _nextOffset + _filled;

    /// <summary>Cancelled when a chunk is refused or a call fails.</summary>
    public CancellationToken Failed => _failed.Token;

    /// <summary>Runs <paramref name="answer"/> with the refusal as soon as a chunk is refused, so a client waiting for
    /// acknowledgements hears why at once. Dispose the result to stop listening.</summary>
    public IDisposable OnFailure(Func<UploadRefusal, Task> answer) =>
        _failed.Token.Register(() => _ = answer(_failure!));

    /// <summary>Space to receive into (the rest of the current chunk), waiting for a window slot when a new chunk is needed.</summary>
    public async ValueTask<Memory<byte>> GetMemoryAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        if (_current is null)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _failed.Token);
            try
            {
                await _window.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                ThrowIfFailed();
                throw;
            }
            _current = ArrayPool<byte>.Shared.Rent(_chunkSize);
            _filled = 0;
        }
        return _current.AsMemory(_filled, _chunkSize - _filled);
    }

    /// <summary>Accepts <paramref name="count"/> bytes written into the memory from <see cref="GetMemoryAsync"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _chunkSize - _filled);
        _filled += count;
        if (_filled == _chunkSize) Send();
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var memory = await GetMemoryAsync(cancellationToken);
            var count = Math.Min(memory.Length, data.Length);
            data[..count].CopyTo(memory);
            Advance(count);
            data = data[count..];
        }
    }

    /// <summary>Reads <paramref name="source"/> to its end (at most <paramref name="maxBytes"/>; more is a refusal) into the upload.</summary>
    public async Task<long> CopyFromAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        long copied = 0;
        while (true)
        {
            var memory = await GetMemoryAsync(cancellationToken);
            var read = await source.ReadAsync(memory, cancellationToken);
            if (read == 0) return copied;
            copied += read;
            if (copied > maxBytes)
                throw new UploadRefusedException(new UploadRefusal(RefusalReason.ChunkTooLarge,
                    $"The body carries more than the {maxBytes} bytes left of the declared size."));
            Advance(read);
        }
    }

    /// <summary>Sends what is buffered, waits for every call in flight, and returns the committed offset. The writer is done after.</summary>
    public async Task<long> CompleteAsync()
    {
        if (_current is not null)
        {
            if (_filled > 0 && _failure is null) Send();
            else ReturnCurrent();
        }
        _inFlight.Writer.TryComplete();
        await _drain;
        ThrowIfFailed();
        return CommittedOffset;
    }

    public async ValueTask DisposeAsync()
    {
        ReturnCurrent();
        _inFlight.Writer.TryComplete();
        await _drain;
        _failed.Dispose();
        _window.Dispose();
    }

    private void Send()
    {
        var item = new InFlight(_nextOffset, _current!, _filled);
        item.Call = _grain.WriteChunk(item.Offset, item.Data);
        _nextOffset += _filled;
        _current = null;
        _filled = 0;
        _inFlight.Writer.TryWrite(item);
    }

    private void ReturnCurrent()
    {
        if (_current is null) return;
        ArrayPool<byte>.Shared.Return(_current);
        _current = null;
        _filled = 0;
        _window.Release();
    }

    private async Task DrainAsync()
    {
        await foreach (var item in _inFlight.Reader.ReadAllAsync())
        {
            try
            {
                if (_failure is not null)
                {
                    await item.Call!.ContinueWith(_ => { }, TaskScheduler.Default); // finish before the buffer is reused
                    continue;
                }
                var ack = await item.Call!;
                for (var resends = 0; resends < MaxResends; resends++)
                {
                    if (IsOvertaken(ack, item)) ack = await _grain.WriteChunk(item.Offset, item.Data);
                    else if (HeldInPart(ack, item) is { } from) ack = await _grain.WriteChunk(from, item.Data[(int)(from - item.Offset)..]);
                    else break;
                }
                if (!ack.Accepted)
                {
                    Fail(ack.Refusal!);
                    continue;
                }
                Interlocked.Exchange(ref _committed, ack.CommittedOffset);
                await _onCommitted(ack.CommittedOffset, CancellationToken.None);
            }
            catch (Exception e)
            {
                Fail(new UploadRefusal(RefusalReason.StorageFailure, $"The node did not take the chunk at {item.Offset}: {e.Message}"));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(item.Buffer);
                _window.Release();
            }
        }
    }

    /// <summary>This chunk's call ran before an earlier chunk's: now that the earlier ones have landed, it fits.</summary>
    private bool IsOvertaken(ChunkAck ack, InFlight item) =>
        ack.Refusal is { Reason: RefusalReason.OffsetMismatch, ExpectedOffset: { } expected }
        && expected < item.Offset && CommittedOffset == item.Offset;

    /// <summary>The session already holds the start of this chunk (a client resending from an earlier offset after a drop
    /// whose partial chunk was committed): where the bytes it still needs begin, or null.</summary>
    private static long? HeldInPart(ChunkAck ack, InFlight item) =>
        ack.Refusal is { Reason: RefusalReason.OffsetMismatch, ExpectedOffset: { } expected }
        && expected > item.Offset && expected < item.Offset + item.Data.Length ? expected : null;

    private void Fail(UploadRefusal refusal)
    {
        _failure ??= refusal;
        try { _failed.Cancel(); } catch (ObjectDisposedException) { }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } refusal) throw new UploadRefusedException(refusal);
    }

    private sealed class InFlight(long offset, byte[] buffer, int length)
    {
        public long Offset { get; } = offset;
        public byte[] Buffer { get; } = buffer;
        public ReadOnlyMemory<byte> Data => Buffer.AsMemory(0, length);
        public Task<ChunkAck>? Call { get; set; }
    }
}
