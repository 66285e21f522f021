using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Grains.Files;

/// <summary>Configuration section <c>Files</c>: how long stored files live.</summary>
public sealed class StoredFileOptions
{
    public const string Section = "Files";

    /// <summary>A stored file is deleted this long after it was created: 404 from then on, its bytes and record removed (at once
    /// when asked for, else by the retention sweep every <c>FileStore:SweepInterval</c>). Null (the default): kept until deleted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00")]
    public TimeSpan? Retention { get; set; }
}
