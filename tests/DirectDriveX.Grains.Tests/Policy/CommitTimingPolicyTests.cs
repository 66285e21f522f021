using DirectDriveX.Node.DataPlane;

namespace DirectDriveX.Grains.Tests.Policy;

/// <summary>When a writer commits, as the upload lifecycle chooses for its protocols, and what it does at a chunk's end.</summary>
public class CommitTimingPolicyTests
{
    private const int Chunk = 8 * 1024 * 1024;
    private const long MiB = 1024 * 1024;

    [Theory]
    // held (tus Upload-Checksum) wins over everything else
    [InlineData(true, true, true, false, 100L, false, CommitTiming.HeldUntilVerified)]
    [InlineData(true, false, false, true, 100L, true, CommitTiming.HeldUntilVerified)]
    // a client told of each commit, or an upload without its length: every chunk
    [InlineData(false, true, true, false, 100L, false, CommitTiming.EachChunk)]
    [InlineData(false, false, true, true, 100L, false, CommitTiming.EachChunk)]
    // told only of the stored file: the last range with the completion
    [InlineData(false, false, false, false, 100L, false, CommitTiming.LastWithCompletion)]
    [InlineData(false, false, true, false, MiB + 1, false, CommitTiming.LastWithCompletion)]
    // started by the request that carries it, at most 1 MiB: whole with the completion
    [InlineData(false, false, true, false, MiB, false, CommitTiming.WholeWithCompletion)]
    [InlineData(false, false, true, false, MiB, true, CommitTiming.WholeWithCompletion)]
    public void The_timing_follows_what_the_lifecycle_asked(bool held, bool acknowledges, bool startedWithItsBody, bool deferred, long size,
        bool keepsBytes, CommitTiming expected) =>
        Assert.Equal(expected, CommitTimingPolicy.For(held, acknowledges, startedWithItsBody, deferred, size, Chunk, keepsBytes));

    [Fact]
    public void A_store_that_keeps_bytes_on_the_node_takes_a_small_file_whole_only_within_two_chunks()
    {
        const int small = 256 * 1024;
        Assert.Equal(CommitTiming.WholeWithCompletion, CommitTimingPolicy.For(false, false, true, false, 2L * small, small, true));
        Assert.Equal(CommitTiming.LastWithCompletion, CommitTimingPolicy.For(false, false, true, false, 2L * small + 1, small, true));
        Assert.Equal(CommitTiming.WholeWithCompletion, CommitTimingPolicy.For(false, false, true, false, 2L * small + 1, small, false));
    }

    [Theory]
    [InlineData(CommitTiming.EachChunk, Chunk, false, ChunkEndStep.Commit)]
    [InlineData(CommitTiming.EachChunk, 3L * Chunk, false, ChunkEndStep.Commit)] // the last range too: its client hears of it
    [InlineData(CommitTiming.HeldUntilVerified, Chunk, false, ChunkEndStep.Hold)]
    [InlineData(CommitTiming.HeldUntilVerified, Chunk, true, ChunkEndStep.HoldAndSend)]
    [InlineData(CommitTiming.LastWithCompletion, Chunk, false, ChunkEndStep.Commit)]
    [InlineData(CommitTiming.LastWithCompletion, 3L * Chunk, false, ChunkEndStep.LeaveToCompletion)]
    [InlineData(CommitTiming.WholeWithCompletion, Chunk, true, ChunkEndStep.LeaveToCompletion)]
    public void A_chunk_end_is_committed_held_or_left_to_the_completion(CommitTiming timing, long end, bool keepsBytes, ChunkEndStep expected) =>
        Assert.Equal(expected, CommitTimingPolicy.AtChunkEnd(timing, end, size: 3L * Chunk, keepsBytes));

    [Fact]
    public void Only_a_held_body_is_not_committed_when_its_client_goes_quiet()
    {
        Assert.False(CommitTimingPolicy.CommitsWhenQuiet(CommitTiming.HeldUntilVerified));
        Assert.All([CommitTiming.EachChunk, CommitTiming.LastWithCompletion, CommitTiming.WholeWithCompletion],
            timing => Assert.True(CommitTimingPolicy.CommitsWhenQuiet(timing)));
    }
}
