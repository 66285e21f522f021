using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Grains.Storage;

/// <summary>Configuration section <c>FileStore</c>: where staged and stored files live. Every silo mounts the same directory.</summary>
public sealed class FileStoreOptions
{
    public const string Section = "FileStore";

    /// <summary>Root directory (relative paths resolve against the working directory). Default <c>data</c>.</summary>
    [Required]
    public string RootDirectory { get; set; } = "data";

    /// <summary>fsync every chunk before it is acknowledged, so an acknowledged offset survives a power cut. Default true.</summary>
    public bool FlushToDisk { get; set; } = true;
}
