namespace DirectDriveX.Testing;

/// <summary>Waits for a condition with a deadline, polling; never a blind sleep.</summary>
public static class Eventually
{
    public static async Task<T> Holds<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var value = await probe();
            if (condition(value)) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Not within {deadline}: {what}. Last value: {value}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling every millisecond (for a condition another thread of the
    /// test sets within moments), with a deadline.</summary>
    public static async Task True(Func<bool> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Not within {deadline}: {what}.");
            await Task.Delay(1);
        }
    }
}
