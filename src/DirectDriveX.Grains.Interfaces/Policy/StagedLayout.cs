namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// Where an upload's committed bytes are staged: the ordered segments of the epochs that committed them. Pure: the session
/// grain keeps the segments, the data plane reads and joins them by these rules.
/// </summary>
public static class StagedLayout
{
    /// <summary>The epoch of uploads staged before epochs existed: one file, from offset 0.</summary>
    public const int UnfencedEpoch = 0;

    /// <summary>One segment's committed bytes: <see cref="Length"/> bytes of epoch <see cref="Epoch"/>'s staging file, which
    /// holds the upload's bytes from <see cref="Start"/> at position 0.</summary>
    public readonly record struct Span(int Epoch, long Start, long Length)
    {
        public long End => Start + Length;
    }

    /// <summary>The segments after <paramref name="epoch"/> committed bytes from <paramref name="offset"/> (the committed offset):
    /// unchanged when that epoch already holds the last segment, else with a new segment of its own.</summary>
    public static StagedSegment[] AfterCommit(StagedSegment[] segments, int epoch, long offset)
    {
        if (segments.Length > 0 && segments[^1].Epoch == epoch) return segments;
        if (segments.Length > 0 && (segments[^1].Epoch > epoch || segments[^1].Start >= offset))
            throw new ArgumentException($"Epoch {epoch} at {offset} cannot follow epoch {segments[^1].Epoch} from {segments[^1].Start}.");
        return [.. segments, new StagedSegment(epoch, offset)];
    }

    /// <summary>Where epoch <paramref name="epoch"/>'s staging file starts: its segment's start when it has already committed
    /// bytes, else the committed offset (where it will write first).</summary>
    public static long SegmentStart(IReadOnlyList<StagedSegment> segments, int epoch, long committed) =>
        segments.Count > 0 && segments[^1].Epoch == epoch ? segments[^1].Start : committed;

    /// <summary>The committed bytes [0, <paramref name="committed"/>) as spans of staging files, in order.</summary>
    public static IReadOnlyList<Span> Spans(IReadOnlyList<StagedSegment> segments, long committed)
    {
        var spans = new List<Span>(segments.Count);
        for (var i = 0; i < segments.Count; i++)
        {
            var end = i + 1 < segments.Count ? segments[i + 1].Start : committed;
            if (end > segments[i].Start) spans.Add(new Span(segments[i].Epoch, segments[i].Start, end - segments[i].Start));
        }
        if (committed > 0 && (spans.Count == 0 || spans[0].Start != 0 || spans[^1].End != committed))
            throw new ArgumentException($"The segments do not cover the {committed} committed bytes.");
        return spans;
    }

    /// <summary>The span that holds <paramref name="offset"/>, or null past the committed bytes.</summary>
    public static Span? SpanAt(IReadOnlyList<Span> spans, long offset)
    {
        foreach (var span in spans)
            if (offset >= span.Start && offset < span.End) return span;
        return null;
    }

    /// <summary>True when one epoch's staging file holds all of [0, <paramref name="committed"/>) from position 0, so it can be
    /// stored as it is; else the segments must be joined into one file first.</summary>
    public static bool IsOneFile(IReadOnlyList<Span> spans) => spans.Count <= 1;
}
