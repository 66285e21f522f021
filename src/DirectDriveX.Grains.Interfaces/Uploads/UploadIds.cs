using System.Security.Cryptography;

namespace DirectDriveX.Grains.Interfaces;

/// <summary>Upload ids and resume tokens: 128 random bits each, URL-safe, unguessable.</summary>
public static class UploadIds
{
    public static string NewId() => Random128();

    public static string NewResumeToken() => Random128();

    /// <summary>True for strings that could have come from <see cref="NewId"/> (22 URL-safe base64 characters).</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: 22 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Random128() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
