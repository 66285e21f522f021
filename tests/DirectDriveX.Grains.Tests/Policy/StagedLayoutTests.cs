using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Policy;

public class StagedLayoutTests
{
    [Fact]
    public void A_commit_that_continues_the_same_file_extends_its_part_and_another_place_starts_a_new_one()
    {
        var first = StagedLayout.AfterCommit([], committed: 0, end: 100, [new StagedPart(0, 100, "1@0")]);
        Assert.Equal([new StagedPart(0, 100, "1@0")], first);
        var again = StagedLayout.AfterCommit(first, committed: 100, end: 150, [new StagedPart(100, 50, "1@0")]);
        Assert.Equal([new StagedPart(0, 150, "1@0")], again);
        var moved = StagedLayout.AfterCommit(again, committed: 150, end: 200, [new StagedPart(150, 50, "2@150")]);
        Assert.Equal([new StagedPart(0, 150, "1@0"), new StagedPart(150, 50, "2@150")], moved);
    }

    [Fact]
    public void Parts_with_tags_are_never_merged()
    {
        var parts = StagedLayout.AfterCommit([new StagedPart(0, 10, "s1", "k1")], committed: 10, end: 20, [new StagedPart(10, 10, "s1", "k2")]);
        Assert.Equal([new StagedPart(0, 10, "s1", "k1"), new StagedPart(10, 10, "s1", "k2")], parts);
    }

    [Fact]
    public void A_whole_part_replaces_the_staged_pieces_it_now_holds()
    {
        StagedPart[] parts = [new(0, 8, "p1@1", "e1"), new(8, 3, "s1", "a"), new(11, 2, "s2", "b")];
        var whole = StagedLayout.AfterCommit(parts, committed: 13, end: 16, [new StagedPart(8, 8, "p3@2", "e3")]);
        Assert.Equal([new StagedPart(0, 8, "p1@1", "e1"), new StagedPart(8, 8, "p3@2", "e3")], whole);
        Assert.True(StagedLayout.Covers(whole, 16));
    }

    [Theory]
    [InlineData(5, 10, 12)]  // they do not reach the commit's end
    [InlineData(11, 10, 20)] // they start past the committed offset: a gap
    [InlineData(3, 10, 20)]  // they start inside a kept part
    public void Parts_that_do_not_hold_the_commit_exactly_are_refused(long start, long committed, long end)
    {
        StagedPart[] parts = [new(0, 5, "s1", "a"), new(5, 5, "s1", "b")];
        Assert.Throws<ArgumentException>(() => StagedLayout.AfterCommit(parts, committed, end, [new StagedPart(start, 20 - start, "x", "t")]));
    }

    [Fact]
    public void A_tail_after_sealed_parts_takes_commits_from_its_start_and_replaces_its_own_pieces()
    {
        StagedPart[] tail = [new(16, 8, "p3@1", "e3"), new(24, 3, "s1", "a")];
        var whole = StagedLayout.AfterCommit(tail, committed: 27, end: 32, [new StagedPart(24, 8, "p4@1", "e4")], start: 16);
        Assert.Equal([new StagedPart(16, 8, "p3@1", "e3"), new StagedPart(24, 8, "p4@1", "e4")], whole);
        var first = StagedLayout.AfterCommit([], committed: 16, end: 20, [new StagedPart(16, 4, "s2", "b")], start: 16);
        Assert.Equal([new StagedPart(16, 4, "s2", "b")], first);
    }

    [Fact]
    public void A_part_that_would_replace_a_sealed_part_is_refused_with_where_the_tail_starts()
    {
        StagedPart[] tail = [new(16, 8, "p3@1", "e3"), new(24, 3, "s1", "a")];
        var refused = Assert.Throws<ArgumentException>(() =>
            StagedLayout.AfterCommit(tail, committed: 27, end: 32, [new StagedPart(8, 24, "p2@1", "e2")], start: 16));
        Assert.StartsWith("The parts added start at 8, before 16: the parts before it are sealed and are not replaced.", refused.Message);
    }

    [Fact]
    public void Cover_and_lookup_follow_the_offsets()
    {
        StagedPart[] parts = [new(0, 100, "1@0"), new(100, 80, "2@100")];
        Assert.True(StagedLayout.Covers(parts, 180));
        Assert.False(StagedLayout.Covers(parts, 200));
        Assert.False(StagedLayout.Covers([new StagedPart(5, 10, "x")], 15));
        Assert.True(StagedLayout.Covers([], 0));
        Assert.Equal(parts[1], StagedLayout.PartAt(parts, 100));
        Assert.Equal(parts[0], StagedLayout.PartAt(parts, 99));
        Assert.Null(StagedLayout.PartAt(parts, 180));
    }
}
