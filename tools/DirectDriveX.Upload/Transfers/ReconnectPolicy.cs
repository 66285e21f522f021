namespace DirectDriveX.Upload.Transfers;

/// <summary>How often and after how long a dropped upload connection is tried again: doubling pauses, capped.</summary>
internal sealed record ReconnectPolicy(int MaxAttempts, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    public static ReconnectPolicy Default { get; } = new(10, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

    /// <summary>The pause before reconnect attempt <paramref name="attempt"/> (1-based), or null when attempts are used up.</summary>
    public TimeSpan? DelayBefore(int attempt)
    {
        if (attempt < 1 || attempt > MaxAttempts) return null;
        var delay = FirstDelay * Math.Pow(2, attempt - 1);
        return delay < MaxDelay ? delay : MaxDelay;
    }
}
