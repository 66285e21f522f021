namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// The committed bytes of an upload as parts in its store (<see cref="StagedPart"/>): in order, without gaps, covering
/// [0, committed offset). Pure: the session grain keeps the parts by these rules, the store reads and finishes them.
/// </summary>
public static class StagedLayout
{
    /// <summary>The parts after a commit of [<paramref name="committed"/>, <paramref name="end"/>) that the store holds as
    /// <paramref name="added"/>: they run without gaps to <paramref name="end"/> and may start before the committed offset, at
    /// the start of a part they replace (pieces of an S3 part that is now whole); every part from there on is dropped. An added
    /// part that continues the last one in the same place (<see cref="StagedPart.Locator"/>, no tag) extends it.
    /// <paramref name="parts"/> may be a tail that begins at <paramref name="start"/> (the session's parts before it are sealed
    /// in pages): an added part that starts before it would replace a sealed part, and is refused.</summary>
    public static StagedPart[] AfterCommit(IReadOnlyList<StagedPart> parts, long committed, long end, IReadOnlyList<StagedPart> added, long start = 0)
    {
        if (added.Count == 0 || added[^1].End != end || added[0].Offset > committed)
            throw new ArgumentException($"The parts added do not hold the bytes [{committed}, {end}).", nameof(added));
        if (added[0].Offset < start)
            throw new ArgumentException($"The parts added start at {added[0].Offset}, before {start}: the parts before it are sealed and are not replaced.", nameof(added));
        for (var i = 1; i < added.Count; i++)
            if (added[i].Offset != added[i - 1].End || added[i].Length <= 0)
                throw new ArgumentException("The parts added are not contiguous.", nameof(added));
        var kept = parts.TakeWhile(part => part.End <= added[0].Offset).ToList();
        if ((kept.Count == 0 ? start : kept[^1].End) != added[0].Offset)
            throw new ArgumentException($"The parts added start at {added[0].Offset}, not at a part's start.", nameof(added));
        foreach (var part in added)
        {
            if (kept.Count > 0 && kept[^1] is { Tag: null } last && part.Tag is null && last.Locator == part.Locator && last.End == part.Offset)
                kept[^1] = last with { Length = last.Length + part.Length };
            else
                kept.Add(part);
        }
        return [.. kept];
    }

    /// <summary>True when <paramref name="parts"/> hold exactly [0, <paramref name="committed"/>), in order and without gaps.</summary>
    public static bool Covers(IReadOnlyList<StagedPart> parts, long committed)
    {
        long position = 0;
        foreach (var part in parts)
        {
            if (part.Offset != position || part.Length <= 0) return false;
            position = part.End;
        }
        return position == committed;
    }

    /// <summary>The part that holds <paramref name="offset"/>, or null past the committed bytes.</summary>
    public static StagedPart? PartAt(IReadOnlyList<StagedPart> parts, long offset)
    {
        foreach (var part in parts)
            if (offset >= part.Offset && offset < part.End) return part;
        return null;
    }
}
