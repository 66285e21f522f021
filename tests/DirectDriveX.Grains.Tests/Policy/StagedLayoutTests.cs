using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Policy;

public class StagedLayoutTests
{
    [Fact]
    public void The_first_commit_of_an_epoch_opens_its_segment_and_later_ones_extend_it()
    {
        StagedSegment[] none = [];
        var first = StagedLayout.AfterCommit(none, epoch: 1, offset: 0);
        Assert.Equal([new StagedSegment(1, 0)], first);
        Assert.Same(first, StagedLayout.AfterCommit(first, epoch: 1, offset: 65_536));

        var moved = StagedLayout.AfterCommit(first, epoch: 3, offset: 131_072);
        Assert.Equal([new StagedSegment(1, 0), new StagedSegment(3, 131_072)], moved);
    }

    [Fact]
    public void An_earlier_epoch_or_a_start_not_past_the_last_segment_cannot_follow()
    {
        StagedSegment[] segments = [new(1, 0), new(3, 131_072)];
        Assert.Throws<ArgumentException>(() => StagedLayout.AfterCommit(segments, epoch: 2, offset: 200_000));
        Assert.Throws<ArgumentException>(() => StagedLayout.AfterCommit(segments, epoch: 4, offset: 131_072));
    }

    [Fact]
    public void Spans_cover_the_committed_bytes_in_order_each_from_its_own_file()
    {
        StagedSegment[] segments = [new(1, 0), new(2, 100), new(4, 250)];
        Assert.Equal([new StagedLayout.Span(1, 0, 100), new StagedLayout.Span(2, 100, 150), new StagedLayout.Span(4, 250, 50)],
            StagedLayout.Spans(segments, committed: 300));
        Assert.Equal(new StagedLayout.Span(2, 100, 150), StagedLayout.SpanAt(StagedLayout.Spans(segments, 300), 249));
        Assert.Null(StagedLayout.SpanAt(StagedLayout.Spans(segments, 300), 300));
        Assert.Empty(StagedLayout.Spans([], committed: 0));
    }

    [Fact]
    public void Segments_that_do_not_cover_the_committed_bytes_are_an_error()
    {
        Assert.Throws<ArgumentException>(() => StagedLayout.Spans([], committed: 10));
        Assert.Throws<ArgumentException>(() => StagedLayout.Spans([new StagedSegment(2, 5)], committed: 10));
    }

    [Theory]
    [InlineData(0, true)]   // one epoch from 0: its file is the upload
    [InlineData(1, false)]  // several: joined into one file first
    public void One_file_only_when_one_epoch_staged_everything(int moves, bool oneFile)
    {
        StagedSegment[] segments = moves == 0 ? [new(1, 0)] : [new(1, 0), new(2, 500)];
        Assert.Equal(oneFile, StagedLayout.IsOneFile(StagedLayout.Spans(segments, committed: 1_000)));
    }

    [Fact]
    public void An_epoch_writes_from_its_segment_start_or_from_the_committed_offset_when_it_has_none()
    {
        StagedSegment[] segments = [new(1, 0), new(2, 100)];
        Assert.Equal(100, StagedLayout.SegmentStart(segments, epoch: 2, committed: 180));
        Assert.Equal(180, StagedLayout.SegmentStart(segments, epoch: 3, committed: 180));
    }
}
