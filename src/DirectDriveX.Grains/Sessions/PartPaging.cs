using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// How a session keeps its committed parts in sealed pages and a tail (pure: the state in, the state and the page out), so that
/// recording a part writes a bounded record, not every part recorded so far. A page takes a fixed count of the tail's oldest
/// parts once they can no longer be replaced (they end before the first part of the latest commit, from where a later commit
/// may replace staged pieces, with a margin of parts kept beyond); a run of as many pages of one level as a list takes is
/// folded into one page of the level above, so the session lists fewer than that many pages per level (a few levels at
/// 10,000 parts) instead of one per page. A page's record expires a record lifetime after it was written, so a live session
/// writes it again before.
/// </summary>
internal static class PartPaging
{
    /// <summary>The parts kept in the tail beyond those that could still be replaced: an eighth of a page, at least one.</summary>
    public static int Margin(int partsPerPage) => Math.Max(1, partsPerPage / 8);

    /// <summary>Where the tail starts: past the last sealed page (0 without pages).</summary>
    public static long TailStart(IReadOnlyList<SealedPage> pages) => pages.Count == 0 ? 0 : pages[^1].End;

    /// <summary>How many parts the pages hold: the <see cref="SealedPage.Index"/> of the next page sealed.</summary>
    public static int SealedParts(IReadOnlyList<SealedPage> pages) => pages.Sum(page => page.Count);

    /// <summary>How many of the tail's oldest parts to seal now: <paramref name="partsPerPage"/> when that many end at or before
    /// <paramref name="replaceableFrom"/> (the first part of the latest commit) with the margin beyond them, else 0; always 0 when
    /// <paramref name="partsPerPage"/> is 0 (nothing is sealed).</summary>
    public static int SealCount(IReadOnlyList<StagedPart> tail, long replaceableFrom, int partsPerPage)
    {
        if (partsPerPage <= 0) return 0;
        var fixedParts = 0;
        while (fixedParts < tail.Count && tail[fixedParts].End <= replaceableFrom) fixedParts++;
        return fixedParts - Margin(partsPerPage) >= partsPerPage ? partsPerPage : 0;
    }

    /// <summary>The session with the tail's first <paramref name="count"/> parts sealed into a new page of epoch
    /// <paramref name="epoch"/>, and that page.</summary>
    public static (UploadSessionState Session, SealedPage Page, StagedPart[] Parts) Seal(UploadSessionState session, int epoch, int count, DateTimeOffset now)
    {
        if (count <= 0 || count > session.Parts.Length) throw new ArgumentOutOfRangeException(nameof(count));
        var parts = session.Parts[..count];
        var page = new SealedPage(epoch, SealedParts(session.Pages), parts[0].Offset, parts[^1].End, count, now);
        return (session with { Pages = [.. session.Pages, page], Parts = session.Parts[count..] }, page, parts);
    }

    /// <summary>Where a run of <paramref name="pagesPerList"/> pages of one level starts in <paramref name="pages"/> (the first
    /// such run, so the lowest levels' come last), to be folded into one page of the level above; -1 when there is none, and
    /// always when <paramref name="pagesPerList"/> is below 2 (nothing is folded). Pages are listed from the highest level down,
    /// each level's in one run, which folding keeps.</summary>
    public static int FoldAt(IReadOnlyList<SealedPage> pages, int pagesPerList)
    {
        if (pagesPerList < 2) return -1;
        var runStart = 0;
        for (var i = 1; i <= pages.Count; i++)
        {
            if (i < pages.Count && pages[i].Level == pages[runStart].Level) continue;
            if (i - runStart >= pagesPerList) return runStart;
            runStart = i;
        }
        return -1;
    }

    /// <summary>The session with its pages <paramref name="at"/> … <paramref name="at"/> + <paramref name="count"/> − 1 (one
    /// level's, in order) folded into a new page of the level above, of epoch <paramref name="epoch"/>, and that page with the
    /// pages its record lists.</summary>
    public static (UploadSessionState Session, SealedPage List, SealedPage[] Pages) Fold(UploadSessionState session, int epoch, int at, int count)
    {
        if (count < 2 || at < 0 || at + count > session.Pages.Length) throw new ArgumentOutOfRangeException(nameof(count));
        var pages = session.Pages[at..(at + count)];
        if (pages.Any(page => page.Level != pages[0].Level)) throw new ArgumentException("The pages folded are of one level.", nameof(at));
        var list = new SealedPage(epoch, pages[0].Index, pages[0].Start, pages[^1].End, pages.Sum(page => page.Count),
            pages.Min(page => page.WrittenAt), pages[0].Level + 1);
        return (session with { Pages = [.. session.Pages[..at], list, .. session.Pages[(at + count)..]] }, list, pages);
    }

    /// <summary>The entry of list page <paramref name="list"/> once its record is written at <paramref name="now"/> listing
    /// <paramref name="pages"/>: written then, and no later than the earliest record under it.</summary>
    public static SealedPage Relisted(SealedPage list, IReadOnlyList<SealedPage> pages, DateTimeOffset now) =>
        list with { WrittenAt = pages.Select(page => page.WrittenAt).Append(now).Min() };

    /// <summary>The pages whose records would expire before <paramref name="horizon"/> from now (each expires
    /// <paramref name="lifetime"/> after it was written): a commit writes again those past half their lifetime, a session that
    /// parks those that would not outlive its resume window.</summary>
    public static SealedPage[] Stale(IReadOnlyList<SealedPage> pages, DateTimeOffset now, TimeSpan lifetime, TimeSpan horizon) =>
        [.. pages.Where(page => page.WrittenAt + lifetime < now + horizon)];

    /// <summary>The pages with each of <paramref name="rewritten"/>'s keys replaced by its entry as written again.</summary>
    public static SealedPage[] Rewritten(IReadOnlyList<SealedPage> pages, IReadOnlyDictionary<SealedPage, SealedPage> rewritten) =>
        [.. pages.Select(page => rewritten.GetValueOrDefault(page, page))];

    /// <summary>Whether the parts read from <paramref name="page"/>'s record are the ones it lists, following
    /// <paramref name="before"/> (the end of the page before it) without a gap.</summary>
    public static bool Holds(SealedPage page, IReadOnlyList<StagedPart> parts, long before)
    {
        if (page.Start != before || parts.Count != page.Count) return false;
        var position = page.Start;
        foreach (var part in parts)
        {
            if (part.Offset != position || part.Length <= 0) return false;
            position = part.End;
        }
        return position == page.End;
    }

    /// <summary>Whether the pages read from list page <paramref name="list"/>'s record are the ones it folded: one level below
    /// it, from its first part to its last without a gap, its parts in all.</summary>
    public static bool HoldsPages(SealedPage list, IReadOnlyList<SealedPage> pages)
    {
        if (list.Level == 0 || pages.Count == 0 || pages[0].Index != list.Index) return false;
        var position = list.Start;
        var count = 0;
        foreach (var page in pages)
        {
            if (page.Level != list.Level - 1 || page.Start != position || page.Count <= 0) return false;
            position = page.End;
            count += page.Count;
        }
        return position == list.End && count == list.Count;
    }
}
