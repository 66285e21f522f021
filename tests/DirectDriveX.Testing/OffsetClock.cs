namespace DirectDriveX.Testing;

/// <summary>The system clock moved forward by what a test says: deadlines of hours (a resume window, a file's retention) pass
/// at once. Only the wall-clock time moves; timestamps and timers are the system's, so timers still fire at their pace and see
/// the moved time when they do.</summary>
public sealed class OffsetClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
