using System.Security.Cryptography;

namespace DirectDriveX.Testing;

/// <summary>Reproducible file contents for tests, and their SHA-256 as the service reports it (lowercase hex).</summary>
public static class TestBytes
{
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new System.Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
