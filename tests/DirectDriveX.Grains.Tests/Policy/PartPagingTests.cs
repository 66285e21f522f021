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

        Assert.Equal(new SealedPage(3, 4, 40, 80, 4, Now.AddMinutes(1)), page); // its first part is the session's fifth
        Assert.Equal("upload/parts-3-4", page.StateName);
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
        var rewritten = new Dictionary<SealedPage, SealedPage> { [pages[0]] = pages[0] with { WrittenAt = Now } };
        Assert.Equal([pages[0] with { WrittenAt = Now }, pages[1]], PartPaging.Rewritten(pages, rewritten));
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

    /// <summary>Pages of 4 parts of 10 bytes each (level 0), written at <paramref name="writtenAt"/>, from part <paramref name="first"/>.</summary>
    private static SealedPage[] Leaves(int count, int first = 0, DateTimeOffset? writtenAt = null) =>
        [.. Enumerable.Range(0, count).Select(i => new SealedPage(1, first + 4 * i, 40L * (first / 4 + i), 40L * (first / 4 + i + 1), 4, writtenAt ?? Now))];

    [Fact]
    public void A_run_of_a_list_of_pages_of_one_level_is_folded_into_a_page_of_the_level_above_named_by_its_first_part()
    {
        Assert.Equal(-1, PartPaging.FoldAt(Leaves(2), pagesPerList: 3));
        Assert.Equal(0, PartPaging.FoldAt(Leaves(3), pagesPerList: 3));
        Assert.Equal(-1, PartPaging.FoldAt(Leaves(9), pagesPerList: 0)); // 0: never folded
        Assert.Equal(-1, PartPaging.FoldAt(Leaves(9), pagesPerList: 1));
        Assert.Equal(-1, PartPaging.FoldAt([], pagesPerList: 3));

        var leaves = Leaves(4, writtenAt: Now);
        SealedPage[] listed = [leaves[0] with { WrittenAt = Now.AddMinutes(-5) }, .. leaves[1..]];
        var session = new UploadSessionState { Pages = listed, Parts = Parts(2, start: 160) };
        var (folded, list, pages) = PartPaging.Fold(session, epoch: 2, at: 0, count: 3);

        Assert.Equal(new SealedPage(2, 0, 0, 120, 12, Now.AddMinutes(-5), Level: 1), list); // written no later than its oldest page
        Assert.Equal("upload/pages1-2-0", list.StateName);
        Assert.Equal(listed[..3], pages);
        Assert.Equal([list, listed[3]], folded.Pages);
        Assert.Equal(session.Parts, folded.Parts);
        Assert.Equal(160, PartPaging.TailStart(folded.Pages));
        Assert.Equal(16, PartPaging.SealedParts(folded.Pages));

        // Highest level first: a full run of level 1 is found behind level 2's and before level 0's.
        var one = new SealedPage(1, 0, 0, 120, 12, Now, Level: 2);
        SealedPage[] mixed = [one, .. Leaves(3, first: 12).Select(p => p with { Level = 1 }), .. Leaves(2, first: 24)];
        Assert.Equal(1, PartPaging.FoldAt(mixed, pagesPerList: 3));
        Assert.Throws<ArgumentException>(() => PartPaging.Fold(session with { Pages = mixed }, 2, at: 3, count: 3)); // levels 1 and 0
        Assert.Throws<ArgumentOutOfRangeException>(() => PartPaging.Fold(session, 2, at: 2, count: 3));
    }

    [Fact]
    public void A_list_read_back_must_hold_the_pages_it_folded_one_level_below_without_a_gap()
    {
        var leaves = Leaves(3);
        var list = new SealedPage(2, 0, 0, 120, 12, Now, Level: 1);
        Assert.True(PartPaging.HoldsPages(list, leaves));
        Assert.False(PartPaging.HoldsPages(list, leaves[..2])); // a page short
        Assert.False(PartPaging.HoldsPages(list, [leaves[0], leaves[2]])); // a gap
        Assert.False(PartPaging.HoldsPages(list, [.. leaves.Select(p => p with { Level = 1 })])); // not the level below
        Assert.False(PartPaging.HoldsPages(list with { Index = 4 }, leaves)); // another list's name
        Assert.False(PartPaging.HoldsPages(list with { Count = 11 }, leaves));
        Assert.False(PartPaging.HoldsPages(list with { Level = 0 }, leaves));
        Assert.False(PartPaging.HoldsPages(list, []));
        // Pages sealed before page lists are named by their place among the pages: a list of them still holds them.
        SealedPage[] old = [leaves[0], leaves[1] with { Index = 1 }, leaves[2] with { Index = 2 }];
        Assert.True(PartPaging.HoldsPages(list, old));
    }

    [Fact]
    public void A_list_written_again_is_written_at_the_earliest_of_now_and_its_pages()
    {
        var leaves = Leaves(2, writtenAt: Now.AddDays(-1));
        var list = new SealedPage(2, 0, 0, 80, 8, Now.AddDays(-6), Level: 1);
        Assert.Equal(list with { WrittenAt = Now.AddDays(-1) }, PartPaging.Relisted(list, leaves, Now));
        Assert.Equal(list with { WrittenAt = Now }, PartPaging.Relisted(list, Leaves(2, writtenAt: Now.AddDays(1)), Now));
        // A list is stale when the earliest record under it is.
        Assert.Equal([list], PartPaging.Stale([list], Now, TimeSpan.FromDays(7), horizon: TimeSpan.FromDays(3.5)));
    }

    /// <summary>A 2 TB file's 10,000 parts committed one at a time, sealed and folded as a session does with the defaults (64
    /// parts a page, 8 pages a list): every session record written on the way holds at most 64 + 8 + 1 parts in its tail and
    /// 15 pages (the 127th page: 177 in base 8, a list of lists, 7 lists and 7 pages), where with no lists it would end with 156
    /// pages; every record is written under one name only once, and the pages read back from the records, lists and all, are
    /// the parts committed, in order.</summary>
    [Theory]
    [InlineData(8, 15)]
    [InlineData(0, 156)]
    public void Ten_thousand_parts_keep_every_session_record_within_a_bounded_count_of_pages_and_read_back_whole(int pagesPerList, int mostPages)
    {
        const int partsPerPage = 64;
        var records = new Dictionary<string, object>();
        var session = new UploadSessionState();
        var committed = new List<StagedPart>();
        int maxPages = 0, maxParts = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var part = new StagedPart(8L * 1024 * 1024 * i, 8 * 1024 * 1024, $"{i + 1}@1", $"e{i}");
            committed.Add(part);
            session = session with { Parts = [.. session.Parts, part] };
            if (PartPaging.SealCount(session.Parts, replaceableFrom: part.Offset, partsPerPage) is > 0 and var count)
            {
                var (sealedState, page, parts) = PartPaging.Seal(session, epoch: 1, count, Now);
                Assert.True(records.TryAdd(page.StateName, parts), $"{page.StateName} written twice");
                session = sealedState;
            }
            for (var at = PartPaging.FoldAt(session.Pages, pagesPerList); at >= 0; at = PartPaging.FoldAt(session.Pages, pagesPerList))
            {
                var (folded, list, pages) = PartPaging.Fold(session, epoch: 1, at, pagesPerList);
                Assert.True(records.TryAdd(list.StateName, pages), $"{list.StateName} written twice");
                session = folded;
            }
            maxPages = Math.Max(maxPages, session.Pages.Length);
            maxParts = Math.Max(maxParts, session.Parts.Length);
        }

        Assert.Equal(mostPages, maxPages);
        Assert.True(maxParts <= partsPerPage + PartPaging.Margin(partsPerPage) + 1, $"{maxParts} parts in a tail");
        var read = new List<StagedPart>();
        void Expand(SealedPage page)
        {
            if (page.Level == 0)
            {
                var parts = (StagedPart[])records[page.StateName];
                Assert.True(PartPaging.Holds(page, parts, read.Count == 0 ? 0 : read[^1].End));
                read.AddRange(parts);
                return;
            }
            var pages = (SealedPage[])records[page.StateName];
            Assert.True(PartPaging.HoldsPages(page, pages));
            foreach (var listed in pages) Expand(listed);
        }
        foreach (var page in session.Pages) Expand(page);
        Assert.Equal(committed, [.. read, .. session.Parts]);
    }
}
