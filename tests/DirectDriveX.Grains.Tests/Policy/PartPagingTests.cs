using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;

namespace DirectDriveX.Grains.Tests.Policy;

public class PartPagingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    /// <summary><paramref name="count"/> parts of 10 bytes from <paramref name="start"/>.</summary>
    private static StagedPart[] Parts(int count, long start = 0) =>
        [.. Enumerable.Range(0, count).Select(i => new StagedPart(start + 10L * i, 10, $"p{i + 1}@1", $"e{i}"))];

    [Fact]
    public void A_page_is_sealed_only_when_a_page_of_parts_ends_before_the_replaceable_ones_with_the_margin_beyond()
    {
        Assert.Equal(1, PartPaging.Margin(4));
        Assert.Equal(8, PartPaging.Margin(64));
        var tail = Parts(8);
        Assert.Equal(4, PartPaging.SealCount(tail, replaceableFrom: 70, partsPerPage: 4)); // 7 fixed: a page and the margin
        Assert.Equal(0, PartPaging.SealCount(tail, replaceableFrom: 40, partsPerPage: 4)); // 4 fixed: no margin beyond
        Assert.Equal(4, PartPaging.SealCount(tail, replaceableFrom: 50, partsPerPage: 4));
        Assert.Equal(0, PartPaging.SealCount(tail, replaceableFrom: 45, partsPerPage: 4)); // the fifth part may still be replaced
        Assert.Equal(0, PartPaging.SealCount(tail, replaceableFrom: 80, partsPerPage: 0)); // 0: never sealed
        Assert.Equal(0, PartPaging.SealCount([], replaceableFrom: 0, partsPerPage: 4));
    }

    [Fact]
    public void Sealing_moves_the_oldest_parts_of_the_tail_into_a_page_named_by_its_epoch_and_place()
    {
        var session = new UploadSessionState { Parts = Parts(6, start: 40), Pages = [new SealedPage(1, 0, 0, 40, 4, Now)] };

        var (sealedState, page, parts) = PartPaging.Seal(session, epoch: 3, count: 4, Now.AddMinutes(1));

        Assert.Equal(new SealedPage(3, 1, 40, 80, 4, Now.AddMinutes(1)), page);
        Assert.Equal("upload/parts-3-1", page.StateName);
        Assert.Equal(Parts(4, start: 40), parts);
        Assert.Equal([session.Pages[0], page], sealedState.Pages);
        Assert.Equal(Parts(6, start: 40)[4..], sealedState.Parts);
        Assert.Equal(80, PartPaging.TailStart(sealedState.Pages));
        Assert.Equal(0, PartPaging.TailStart([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartPaging.Seal(session, 3, 7, Now));
    }

    [Fact]
    public void A_commit_rewrites_pages_past_half_their_lifetime_and_a_parked_session_those_its_resume_window_outlives()
    {
        var lifetime = TimeSpan.FromDays(7);
        SealedPage[] pages = [new(1, 0, 0, 40, 4, Now - TimeSpan.FromDays(4)), new(1, 1, 40, 80, 4, Now - TimeSpan.FromDays(3))];

        Assert.Equal([pages[0]], PartPaging.Stale(pages, Now, lifetime, horizon: lifetime / 2));
        Assert.Equal(pages, PartPaging.Stale(pages, Now, lifetime, horizon: TimeSpan.FromDays(4.5)));
        Assert.Empty(PartPaging.Stale(pages, Now, lifetime, horizon: TimeSpan.FromDays(2)));
        Assert.Equal([pages[0] with { WrittenAt = Now }, pages[1]], PartPaging.Rewritten(pages, [pages[0]], Now));
    }

    [Fact]
    public void A_page_read_back_must_hold_the_parts_it_lists_right_after_the_page_before()
    {
        var page = new SealedPage(2, 1, 40, 80, 4, Now);
        Assert.True(PartPaging.Holds(page, Parts(4, start: 40), before: 40));
        Assert.False(PartPaging.Holds(page, Parts(4, start: 40), before: 30)); // a gap after the page before
        Assert.False(PartPaging.Holds(page, Parts(3, start: 40), before: 40)); // a part short
        Assert.False(PartPaging.Holds(page, Parts(4, start: 50), before: 40));
        Assert.False(PartPaging.Holds(page, [.. Parts(2, start: 40), .. Parts(2, start: 70)], before: 40)); // not contiguous
    }

    [Fact]
    public void A_state_written_before_pages_is_a_tail_with_every_part_and_commits_go_on_from_offset_zero()
    {
        var old = new UploadSessionState { Parts = Parts(3), CommittedOffset = 30 };
        Assert.Empty(old.Pages);
        Assert.Equal(0, PartPaging.TailStart(old.Pages));
        var after = StagedLayout.AfterCommit(old.Parts, 30, 40, [new StagedPart(30, 10, "p4@1", "e3")], PartPaging.TailStart(old.Pages));
        Assert.Equal(Parts(4), after);
    }
}
