using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Gateway.Uploads;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Pipeline;

/// <summary>The upload pipeline on its own, against an in-memory session with the grain's offset rules.</summary>
public sealed class UploadWriterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Cuts_any_write_pattern_into_chunks_of_the_chunk_size_and_commits_every_byte_in_order()
    {
        var data = TestBytes.Random(1_000_003, seed: 1);
        var session = new FakeUploadSession(data.Length, chunkSize: 65_536);
        var committed = new List<long>();
        await using (var writer = new UploadWriter(session, 65_536, maxChunksInFlight: 4, startOffset: 0,
                         (offset, _) => { lock (committed) committed.Add(offset); return ValueTask.CompletedTask; }))
        {
            var random = new Random(2);
            for (var at = 0; at < data.Length;)
            {
                var piece = Math.Min(random.Next(1, 200_000), data.Length - at);
                await writer.WriteAsync(data.AsMemory(at, piece), CancellationToken.None);
                at += piece;
            }
            Assert.Equal(data.Length, await writer.CompleteAsync());
        }

        Assert.Equal(data, session.Data);
        Assert.All(session.Calls, call => Assert.True(call.Length == 65_536 || call.Offset + call.Length == data.Length, $"{call}"));
        Assert.Equal(committed.Order(), committed);
        Assert.Equal(data.Length, committed[^1]);
    }

    [Fact]
    public async Task Never_has_more_than_the_window_in_flight_and_waits_for_a_slot_before_taking_another_buffer()
    {
        const int chunk = 1000, window = 3;
        var data = TestBytes.Random(10 * chunk, seed: 3);
        var session = new FakeUploadSession(data.Length, chunk);
        var held = session.Hold(0);
        try
        {
            await using var writer = new UploadWriter(session, chunk, window, 0);

            // Three chunks fill the window while the first call is held (the two after it cannot commit before it)...
            await writer.WriteAsync(data.AsMemory(0, window * chunk), CancellationToken.None);
            await Eventually.Holds(() => Task.FromResult(session.Started), n => n == window, Deadline, "the window's calls started");
            // ...so a fourth buffer is not handed out until the first call returns.
            var fourth = writer.GetMemoryAsync(CancellationToken.None).AsTask();
            Assert.False(fourth.IsCompleted);
            Assert.Equal(window, session.Started);

            held.SetResult();
            var memory = await fourth.WaitAsync(Deadline);
            Assert.Equal(chunk, memory.Length);
            data.AsMemory(window * chunk, chunk).CopyTo(memory);
            writer.Advance(chunk);
            await writer.WriteAsync(data.AsMemory((window + 1) * chunk), CancellationToken.None);
            Assert.Equal(data.Length, await writer.CompleteAsync());
        }
        finally
        {
            held.TrySetResult();
        }
        Assert.True(session.MaxInFlight <= window, $"{session.MaxInFlight} calls in flight");
        Assert.Equal(data, session.Data);
    }

    [Fact]
    public async Task A_chunk_delivered_before_an_earlier_one_is_sent_again_once_the_earlier_one_lands()
    {
        const int chunk = 1000;
        var data = TestBytes.Random(3 * chunk, seed: 4);
        var session = new FakeUploadSession(data.Length, chunk);
        var heldFirst = session.Hold(0);
        try
        {
            await using var writer = new UploadWriter(session, chunk, maxChunksInFlight: 3, startOffset: 0);

            await writer.WriteAsync(data, CancellationToken.None);
            // The second chunk reaches the session first and is refused with the offset it must wait for.
            await Eventually.Holds(() => Task.FromResult(session.Calls.Count), n => n >= 1, Deadline, "an overtaking call answered");
            var overtaking = session.Calls.First();
            Assert.Equal((chunk, RefusalReason.OffsetMismatch, (long?)0), (overtaking.Offset, overtaking.Ack.Refusal!.Reason, overtaking.Ack.Refusal.ExpectedOffset));

            heldFirst.SetResult();
            Assert.Equal(data.Length, await writer.CompleteAsync());
        }
        finally
        {
            heldFirst.TrySetResult();
        }
        Assert.Equal(data, session.Data);
    }

    [Fact]
    public async Task The_first_refusal_stops_the_writer_and_every_later_call_reports_it()
    {
        const int chunk = 1000;
        var data = TestBytes.Random(6 * chunk, seed: 5);
        var session = new FakeUploadSession(data.Length, chunk)
        {
            RefuseAt = offset => offset == 2 * chunk ? UploadRefusal.Of(RefusalReason.BuffersExhausted, "no buffer") : null,
        };
        await using var writer = new UploadWriter(session, chunk, maxChunksInFlight: 1, startOffset: 0);

        var refused = await Assert.ThrowsAsync<UploadRefusedException>(async () =>
        {
            await writer.WriteAsync(data, CancellationToken.None);
            await writer.CompleteAsync();
        });
        Assert.Equal(RefusalReason.BuffersExhausted, refused.Refusal.Reason);
        Assert.Equal(2 * chunk, writer.CommittedOffset);
        var again = await Assert.ThrowsAsync<UploadRefusedException>(() => writer.GetMemoryAsync(CancellationToken.None).AsTask());
        Assert.Equal(RefusalReason.BuffersExhausted, again.Refusal.Reason);
    }

    [Fact]
    public async Task A_writer_opened_at_the_committed_offset_continues_a_resumed_upload()
    {
        const int chunk = 1000;
        var data = TestBytes.Random(5 * chunk + 7, seed: 6);
        var session = new FakeUploadSession(data.Length, chunk);
        await using (var first = new UploadWriter(session, chunk, 2, 0))
        {
            await first.WriteAsync(data.AsMemory(0, 2 * chunk + 300), CancellationToken.None);
            Assert.Equal(2 * chunk + 300, await first.CompleteAsync());   // the dropped client's partial chunk is kept
        }
        await using (var second = new UploadWriter(session, chunk, 2, session.Committed))
        {
            await second.WriteAsync(data.AsMemory((int)session.Committed), CancellationToken.None);
            Assert.Equal(data.Length, await second.CompleteAsync());
        }
        Assert.Equal(data, session.Data);
    }

    [Fact]
    public async Task A_chunk_whose_start_the_session_already_holds_is_sent_from_where_the_session_stands()
    {
        const int chunk = 1000;
        var data = TestBytes.Random(4 * chunk, seed: 7);
        var session = new FakeUploadSession(data.Length, chunk);
        await using (var dropped = new UploadWriter(session, chunk, 2, 0))
        {
            await dropped.WriteAsync(data.AsMemory(0, chunk + 400), CancellationToken.None);
            Assert.Equal(chunk + 400, await dropped.CompleteAsync());   // a drop mid-chunk: the partial chunk is committed
        }

        // A client that resends from an earlier chunk boundary (the legacy client, or a reconnect that read a stale offset).
        await using (var resent = new UploadWriter(session, chunk, 2, 0))
        {
            await resent.WriteAsync(data, CancellationToken.None);
            Assert.Equal(data.Length, await resent.CompleteAsync());
        }
        Assert.Equal(data, session.Data);
        Assert.Contains(session.Calls, c => c.Offset == chunk + 400 && c.Length == chunk - 400 && c.Ack.Accepted);
    }
}
