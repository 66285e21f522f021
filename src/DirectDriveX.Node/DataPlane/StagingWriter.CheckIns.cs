using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>The writer's check-ins: a writer receiving bytes it does not commit yet (a body held for its checksum, a small file
/// committed at its end, a chunk that fills slowly), or waiting for a slow store to take bytes it received, tells the session it
/// is still at work once per <see cref="WritingGrant.CheckInInterval"/> without a commit, so the session neither expires at its
/// first-byte deadline nor parks at its lease timeout while its client's bytes are on their way. A refusal (the session was
/// taken over, or ended) fails the writer.</summary>
public sealed partial class StagingWriter
{
    private readonly TimeSpan _checkInInterval;
    /// <summary>When the session last heard from this writer: its grant, a recorded commit, or a check-in.</summary>
    private long _heardAt;
    private Task _checkIn = Task.CompletedTask;

    private void Heard() => Interlocked.Exchange(ref _heardAt, _clock.GetTimestamp());

    /// <summary>Called as bytes are received: starts a check-in when one is due and none is in flight.</summary>
    private void CheckInWhenDue()
    {
        if (_checkInInterval <= TimeSpan.Zero || !_checkIn.IsCompleted) return;
        if (_clock.GetElapsedTime(Interlocked.Read(ref _heardAt)) < _checkInInterval) return;
        Heard();
        _checkIn = CheckInAsync();
    }

    /// <summary>Waits for <paramref name="commitEnded"/> (the receive path waiting for a slow store), checking in meanwhile: the
    /// client sent these bytes, so a store that takes longer than a deadline to take them neither parks nor expires the
    /// session.</summary>
    private async Task WaitCheckingInAsync(Task commitEnded, CancellationToken cancellationToken)
    {
        if (_checkInInterval <= TimeSpan.Zero)
        {
            await commitEnded.WaitAsync(cancellationToken);
            return;
        }
        while (true)
        {
            try
            {
                await commitEnded.WaitAsync(_checkInInterval, _clock, cancellationToken);
                return;
            }
            catch (TimeoutException)
            {
                CheckInWhenDue();
            }
        }
    }

    private async Task CheckInAsync()
    {
        try
        {
            if (await _grain.CheckWriter(_epoch, _nodeId) is { } refused) Fail(refused);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // Out of reach now: the next commit (or check-in) finds out, and fails the writer if it still is.
        }
    }
}
