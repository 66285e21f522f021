using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace DirectDriveX.Grains.Interfaces;

/// <summary>Upload ids and resume tokens: 128 random bits each, URL-safe, unguessable.</summary>
public static class UploadIds
{
    private static readonly SearchValues<char> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static string NewId() => Random128();

    public static string NewResumeToken() => Random128();

    /// <summary>True for strings that could have come from <see cref="NewId"/> (22 URL-safe base64 characters). Checked on
    /// every path built from an id, so a span search, not an enumerator per call.</summary>
    public static bool IsWellFormed(string? id) => id is { Length: 22 } && !id.AsSpan().ContainsAnyExcept(Alphabet);

    /// <summary>base64url (RFC 4648 §5) of 16 random bytes, unpadded: 22 characters, one string.</summary>
    private static string Random128()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
