using System.Diagnostics;
using System.Globalization;

namespace DirectDriveX.Upload.Progress;

/// <summary>
/// Shows a transfer's progress on stderr: a redrawn bar on a terminal, a plain line every few seconds when stderr is
/// a file or a pipe (CI logs). Reports may come from any thread; drawing is throttled.
/// </summary>
internal sealed class TransferProgress : IDisposable
{
    private readonly string _label;
    private readonly long _total;
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly RateMeter _rate = new(TimeSpan.FromSeconds(3));
    private readonly Lock _gate = new();
    private TimeSpan? _lastDrawn;
    private long _done;
    private long _drawn = -1;
    private bool _finished;

    public TransferProgress(string label, long total, TextWriter output, bool interactive, bool quiet = false)
    {
        _label = label;
        _total = total;
        _output = quiet ? TextWriter.Null : output;
        _interactive = interactive;
        _interval = interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(2);
    }

    public static TransferProgress OnStandardError(string label, long total, bool quiet) =>
        new(label, total, Console.Error, interactive: !Console.IsErrorRedirected, quiet);

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(long done)
    {
        lock (_gate)
        {
            if (_finished) return;
            _done = Math.Max(_done, done);
            var now = _clock.Elapsed;
            _rate.Add(now, _done);
            if (_done == _drawn) return;
            if (_lastDrawn is { } last && now - last < _interval && _done < _total) return;
            _lastDrawn = now;
            _drawn = _done;
            Draw(_rate.BytesPerSecond);
        }
    }

    /// <summary>A note (a reconnect, a refusal) on a line of its own, without garbling the bar.</summary>
    public void Note(string message)
    {
        lock (_gate)
        {
            if (_interactive) _output.Write('\r' + new string(' ', 100) + '\r');
            _output.WriteLine($"{_label}: {message}");
        }
    }

    /// <summary>Draws the last figures and a closing line with the average rate.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_finished) return;
            _finished = true;
            if (_drawn != _done) Draw(_rate.BytesPerSecond);
            if (_interactive) _output.WriteLine();
            var seconds = _clock.Elapsed.TotalSeconds;
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{_label}: {ProgressLine.Bytes(_done)} in {seconds:0.0} s, {(seconds > 0 ? _done / seconds / 1e6 : 0):0.0} MB/s average"));
        }
    }

    private void Draw(double bytesPerSecond)
    {
        var line = ProgressLine.Format(_label, _done, _total, bytesPerSecond, _interactive ? 30 : 0);
        if (_interactive) _output.Write('\r' + line.PadRight(100));
        else _output.WriteLine(line);
    }
}
