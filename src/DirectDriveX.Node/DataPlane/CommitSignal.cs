namespace DirectDriveX.Node.DataPlane;

/// <summary>
/// Tells a writer waiting for its commits to catch up that one has ended (accepted, refused or failed): <see cref="Next"/> is a
/// task that completes at the next <see cref="Pulse"/>. Take it before checking what you wait for, so a pulse between the check
/// and the wait is not missed.
/// </summary>
internal sealed class CommitSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
