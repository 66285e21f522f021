using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Protocols;

/// <summary>
/// Watches the session behind an open upload socket: when the session ends while the client is silent (it expired, was
/// aborted elsewhere, or was completed by another connection), the client is told at once rather than when it next sends:
/// a finished session is a refusal (<paramref name="onEnded"/>), a completed one the protocol's completion message
/// (<paramref name="onCompleted"/>). A socket taken over by a newer connection is told by its writer the moment the newer
/// one takes over (<c>StagingWriter.OnFailure</c>). Stops with the connection, or when <see cref="StopAsync"/> is called
/// (the connection itself is finishing the upload).
/// </summary>
public sealed class SessionWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private int _stopped;

    public SessionWatch(IUploadSessionGrain grain, TimeSpan interval, TimeProvider clock, Func<UploadRefusal, Task> onEnded,
        Func<UploadStatus, Task> onCompleted)
    {
        _watching = WatchAsync(grain, interval, clock, onEnded, onCompleted, _stop.Token);
    }

    private static async Task WatchAsync(IUploadSessionGrain grain, TimeSpan interval, TimeProvider clock,
        Func<UploadRefusal, Task> onEnded, Func<UploadStatus, Task> onCompleted, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                UploadStatus status;
                try
                {
                    status = await grain.GetState().WaitAsync(stop);
                }
                catch (Exception e) when (e is OrleansException or TimeoutException)
                {
                    continue; // the session is unreachable for now: the next write (or the next tick) says so
                }
                if (stop.IsCancellationRequested) return;
                if (status.State == UploadState.Completed)
                {
                    await onCompleted(status);
                    return;
                }
                if (FinishedUploadRefusal.For(status) is { } ended)
                {
                    await onEnded(ended);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops watching (the connection finishes the upload itself from here) and waits for a check in flight.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _stop.CancelAsync();
        try { await _watching; } catch (Exception) when (_stop.IsCancellationRequested) { }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
