namespace DirectDriveX.Storage.Objects;

/// <summary>
/// A commit's hold on the scratch windows of its range [start, end) (<see cref="ScratchFile.HoldRange"/>), taken before it sends
/// anything and given back window by window as it goes (<see cref="ReleaseTo"/>), the rest when disposed. A window dropped
/// meanwhile (<see cref="ScratchFile.DropCommitted"/>) is deleted once its last holder lets go.
/// <para>Why: commits of one writer run side by side on a store that takes them so (Azure blocks), and two of them share a
/// window whenever a range does not end on a window's end (a chunk smaller than the window; a quiet commit). The later one,
/// which completes the shared window, drops it when its own block is stored; the earlier one, still sending its first
/// window's block, had not opened a body on the shared window yet, and found it deleted: an empty window, "The scratch of
/// upload … ends before …", after every retry of the store's request.</para>
/// </summary>
internal sealed class ScratchRangeHold(ScratchFile scratch, long start, long end) : IDisposable
{
    private long _released = start;

    /// <summary>Gives back the windows of [released so far, <paramref name="offset"/>): call it at a window's end or at the range's
    /// end, once the commit has sent what it holds there.</summary>
    public void ReleaseTo(long offset)
    {
        offset = Math.Min(offset, end);
        if (offset <= _released) return;
        scratch.Hold(_released, offset, -1);
        _released = offset;
    }

    public void Dispose() => ReleaseTo(end);
}
