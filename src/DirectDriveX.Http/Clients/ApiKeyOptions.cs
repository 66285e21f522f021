using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Http.Clients;

/// <summary>One entry of <c>Auth:ApiKeys</c>: a named key and, optionally, its own limits (unset: the <c>Clients</c> defaults
/// for concurrent uploads, and no largest-file or daily limit).</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The client's name: its identity in counts and logs (<c>key:{Name}</c>). The key itself is never logged.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string Name { get; set; } = "";

    /// <summary>The secret, at least 16 characters.</summary>
    [Required, MinLength(16)]
    public string Key { get; set; } = "";

    [Range(1, 100_000)]
    public int? MaxConcurrentUploads { get; set; }

    [Range(1, long.MaxValue)]
    public long? MaxFileBytes { get; set; }

    [Range(1, long.MaxValue)]
    public long? BytesPerDay { get; set; }
}
