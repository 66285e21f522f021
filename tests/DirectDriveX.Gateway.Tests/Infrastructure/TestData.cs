using System.Security.Cryptography;

namespace DirectDriveX.Gateway.Tests.Infrastructure;

public static class TestData
{
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new System.Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Waits for a condition with a deadline, polling; never a blind sleep.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var value = await probe();
            if (condition(value)) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Not within {deadline}: {what}. Last: {value}");
            await Task.Delay(50);
        }
    }
}
