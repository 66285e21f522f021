using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Protocols;

/// <summary>
/// Watches the session behind an open upload socket: when the session ends while the client is silent (it expired, or was
/// aborted elsewhere), the client is told at once rather than when it next sends. Stops with the connection.
/// </summary>
public sealed class SessionWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;

    public SessionWatch(IUploadSessionGrain grain, TimeSpan interval, TimeProvider clock, Func<UploadRefusal, Task> onEnded)
    {
        _watching = WatchAsync(grain, interval, clock, onEnded, _stop.Token);
    }

    private static async Task WatchAsync(IUploadSessionGrain grain, TimeSpan interval, TimeProvider clock,
        Func<UploadRefusal, Task> onEnded, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var status = await grain.GetStatus().WaitAsync(stop);
                if (status.State is UploadState.Expired or UploadState.Aborted or UploadState.Failed)
                {
                    await onEnded(status.Failure ?? new UploadRefusal(
                        status.State == UploadState.Aborted ? RefusalReason.Aborted : RefusalReason.Expired,
                        $"Upload {status.UploadId} is {status.State}; start a new upload."));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _watching; } catch (Exception) when (_stop.IsCancellationRequested) { }
        _stop.Dispose();
    }
}
