using System.Globalization;

namespace DirectDriveX.Upload.Progress;

/// <summary>
/// Shows a transfer's progress on stderr: a redrawn bar on a terminal, a plain line every few seconds when stderr is
/// a file or a pipe (CI logs). Reports may come from any thread; drawing is throttled.
/// <para>
/// It also keeps the transfer's clocks apart, so that the closing average is bytes over the time spent sending them:
/// connection setup (creating the upload, opening each connection up to the server's go-ahead) is timed on its own, and
/// so is everything else (hashing the file, pauses before a reconnect). The bar counts resumes.
/// </para>
/// </summary>
internal sealed class TransferProgress : IDisposable
{
    private const int LineWidth = 110;
    private readonly string _label;
    private readonly long _total;
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly RateMeter _rate = new(TimeSpan.FromSeconds(3));
    private readonly Lock _gate = new();
    private TimeSpan? _lastDrawn;
    private long _done;
    private long _drawn = -1;
    private bool _finished;
    private TimeSpan _createTime;
    private TimeSpan _connectTime;
    private TimeSpan _transferTime;
    private TimeSpan? _transferSince;
    private long? _transferBaseline;
    private int _resumes;

    public TransferProgress(string label, long total, TextWriter output, bool interactive, bool quiet = false, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _started = _time.GetTimestamp();
        _label = label;
        _total = total;
        _output = quiet ? TextWriter.Null : output;
        _interactive = interactive;
        _interval = interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(2);
    }

    public static TransferProgress OnStandardError(string label, long total, bool quiet) =>
        new(label, total, Console.Error, interactive: !Console.IsErrorRedirected, quiet);

    /// <summary>Wall time since the progress began: hashing, setup, transfer and pauses.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Creating the upload and opening its connections up to the server's go-ahead.</summary>
    public TimeSpan SetupTime
    {
        get { lock (_gate) return _createTime + _connectTime; }
    }

    /// <summary>Time spent sending (or receiving): from each connection's go-ahead to its end.</summary>
    public TimeSpan TransferTime
    {
        get { lock (_gate) return TransferTimeNow(); }
    }

    /// <summary>Bytes moved per second of <see cref="TransferTime"/>; over the whole elapsed time when no transfer was timed.</summary>
    public double AverageBytesPerSecond
    {
        get { lock (_gate) return Average(); }
    }

    public int Resumes
    {
        get { lock (_gate) return _resumes; }
    }

    /// <summary>Time spent creating the upload (POST), reported apart from the transfer.</summary>
    public void AddCreateTime(TimeSpan time)
    {
        lock (_gate) _createTime += time;
    }

    /// <summary>Time spent opening a connection until data may flow, reported apart from the transfer.</summary>
    public void AddConnectTime(TimeSpan time)
    {
        lock (_gate) _connectTime += time;
    }

    /// <summary>Data starts to flow (on the first or a resumed connection); a no-op while it already does.</summary>
    public void TransferStarted()
    {
        lock (_gate)
        {
            if (_transferSince is not null) return;
            _transferSince = Elapsed;
            _transferBaseline ??= _done;
        }
    }

    /// <summary>Data stops flowing: the transfer ended or its connection dropped.</summary>
    public void TransferStopped()
    {
        lock (_gate) StopTransfer();
    }

    /// <summary>A dropped connection is being resumed: counted on the bar.</summary>
    public void Resumed()
    {
        lock (_gate)
        {
            _resumes++;
            _drawn = -1;
        }
    }

    public void Report(long done)
    {
        lock (_gate)
        {
            if (_finished) return;
            _done = Math.Max(_done, done);
            var now = Elapsed;
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
            if (_interactive) _output.Write('\r' + new string(' ', LineWidth) + '\r');
            _output.WriteLine($"{_label}: {message}");
        }
    }

    /// <summary>Draws the last figures and a closing line: the average over the transfer time, setup apart.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_finished) return;
            StopTransfer();
            _finished = true;
            if (_drawn != _done) Draw(_rate.BytesPerSecond);
            if (_interactive) _output.WriteLine();
            _output.WriteLine(Summary());
        }
    }

    private string Summary()
    {
        var transfer = TransferTimeNow();
        var text = transfer > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture,
                $"{_label}: {ProgressLine.Bytes(_done - (_transferBaseline ?? 0))} in {transfer.TotalSeconds:0.0} s of transfer, {Average() / 1e6:0.0} MB/s average")
            : string.Create(CultureInfo.InvariantCulture, $"{_label}: {ProgressLine.Bytes(_done)} in {Elapsed.TotalSeconds:0.0} s, {Average() / 1e6:0.0} MB/s average");
        if (_createTime + _connectTime > TimeSpan.Zero)
        {
            var parts = new[] { ("create", _createTime), ("connect", _connectTime) }.Where(p => p.Item2 > TimeSpan.Zero)
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Item1} {p.Item2.TotalSeconds:0.00} s"));
            text += string.Create(CultureInfo.InvariantCulture,
                $"; setup {(_createTime + _connectTime).TotalSeconds:0.00} s ({string.Join(", ", parts)})");
        }
        if (_resumes > 0) text += $"; {ProgressLine.Resumes(_resumes)}";
        return text + string.Create(CultureInfo.InvariantCulture, $"; {Elapsed.TotalSeconds:0.0} s in all");
    }

    private void StopTransfer()
    {
        if (_transferSince is not { } since) return;
        _transferTime += Elapsed - since;
        _transferSince = null;
    }

    private TimeSpan TransferTimeNow() => _transferTime + (_transferSince is { } since ? Elapsed - since : TimeSpan.Zero);

    private double Average()
    {
        var transfer = TransferTimeNow();
        if (transfer > TimeSpan.Zero) return (_done - (_transferBaseline ?? 0)) / transfer.TotalSeconds;
        var seconds = Elapsed.TotalSeconds;
        return seconds > 0 ? _done / seconds : 0;
    }

    private void Draw(double bytesPerSecond)
    {
        var line = ProgressLine.Format(_label, _done, _total, bytesPerSecond, _interactive ? 30 : 0, _resumes);
        if (_interactive) _output.Write('\r' + line.PadRight(LineWidth));
        else _output.WriteLine(line);
    }
}
