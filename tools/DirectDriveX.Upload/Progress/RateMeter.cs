namespace DirectDriveX.Upload.Progress;

/// <summary>Transfer rate over a sliding window of recent samples (bytes done at a moment), so that it follows changes.</summary>
internal sealed class RateMeter(TimeSpan window)
{
    private readonly Queue<(TimeSpan At, long Bytes)> _samples = new();

    public void Add(TimeSpan at, long bytes)
    {
        _samples.Enqueue((at, bytes));
        while (_samples.Count > 2 && at - _samples.Peek().At > window) _samples.Dequeue();
    }

    /// <summary>Bytes per second between the oldest and newest sample in the window; 0 until there are two.</summary>
    public double BytesPerSecond
    {
        get
        {
            if (_samples.Count < 2) return 0;
            var (firstAt, firstBytes) = _samples.Peek();
            var (lastAt, lastBytes) = _samples.Last();
            var seconds = (lastAt - firstAt).TotalSeconds;
            return seconds > 0 ? (lastBytes - firstBytes) / seconds : 0;
        }
    }
}
