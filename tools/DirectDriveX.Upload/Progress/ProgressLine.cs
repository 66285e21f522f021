using System.Globalization;

namespace DirectDriveX.Upload.Progress;

/// <summary>One line of progress: a bar (when asked for), bytes done of total, percent, MB/s, ETA and resumes so far.</summary>
internal static class ProgressLine
{
    public static string Format(string label, long done, long total, double bytesPerSecond, int barWidth, int resumes = 0)
    {
        var fraction = total > 0 ? Math.Clamp((double)done / total, 0, 1) : 1;
        var bar = barWidth > 0 ? "[" + new string('#', (int)(fraction * barWidth)).PadRight(barWidth, '-') + "] " : "";
        var eta = bytesPerSecond > 0 ? Duration(TimeSpan.FromSeconds((total - done) / bytesPerSecond)) : "--:--";
        return string.Create(CultureInfo.InvariantCulture,
            $"{label} {bar}{Bytes(done)} / {Bytes(total)} {fraction * 100,5:0.0}%  {bytesPerSecond / 1e6,7:0.0} MB/s  ETA {eta}")
            + (resumes > 0 ? "  " + Resumes(resumes) : "");
    }

    public static string Resumes(int resumes) =>
        resumes == 1 ? "1 resume" : string.Create(CultureInfo.InvariantCulture, $"{resumes} resumes");

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}:{duration.Minutes:00}:{duration.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes}:{duration.Seconds:00}");
}
