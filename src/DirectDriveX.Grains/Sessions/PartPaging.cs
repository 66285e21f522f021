using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>
/// How a session keeps its committed parts in sealed pages and a tail (pure: the state in, the state and the page out), so that
/// recording a part writes a bounded record, not every part recorded so far. A page takes a fixed count of the tail's oldest
/// parts once they can no longer be replaced (they end before the first part of the latest commit, from where a later commit
/// may replace staged pieces, with a margin of parts kept beyond); a page's record expires a record lifetime after it was
/// written, so a live session writes it again before.
/// </summary>
internal static class PartPaging
{
    /// <summary>The parts kept in the tail beyond those that could still be replaced: an eighth of a page, at least one.</summary>
    public static int Margin(int partsPerPage) => Math.Max(1, partsPerPage / 8);

    /// <summary>Where the tail starts: past the last sealed page (0 without pages).</summary>
    public static long TailStart(IReadOnlyList<SealedPage> pages) => pages.Count == 0 ? 0 : pages[^1].End;

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
        var page = new SealedPage(epoch, session.Pages.Length, parts[0].Offset, parts[^1].End, count, now);
        return (session with { Pages = [.. session.Pages, page], Parts = session.Parts[count..] }, page, parts);
    }

    /// <summary>The pages whose records would expire before <paramref name="horizon"/> from now (each expires
    /// <paramref name="lifetime"/> after it was written): a commit writes again those past half their lifetime, a session that
    /// parks those that would not outlive its resume window.</summary>
    public static SealedPage[] Stale(IReadOnlyList<SealedPage> pages, DateTimeOffset now, TimeSpan lifetime, TimeSpan horizon) =>
        [.. pages.Where(page => page.WrittenAt + lifetime < now + horizon)];

    /// <summary>The pages with <paramref name="rewritten"/> marked written at <paramref name="now"/>.</summary>
    public static SealedPage[] Rewritten(IReadOnlyList<SealedPage> pages, IReadOnlyCollection<SealedPage> rewritten, DateTimeOffset now) =>
        [.. pages.Select(page => rewritten.Contains(page) ? page with { WrittenAt = now } : page)];

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
}
