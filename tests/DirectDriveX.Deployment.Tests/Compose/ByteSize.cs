using System.Globalization;

namespace DirectDriveX.Deployment.Tests.Compose;

/// <summary>Compose's byte values ("2g", "512m", "1073741824b", "3GB"), in bytes; binary multiples as Docker reads them.</summary>
public static class ByteSize
{
    public static long Parse(string text)
    {
        var value = text.Trim().ToLowerInvariant();
        var unitStart = value.Length;
        while (unitStart > 0 && char.IsLetter(value[unitStart - 1])) unitStart--;
        var number = long.Parse(value[..unitStart], NumberStyles.None, CultureInfo.InvariantCulture);
        var shift = value[unitStart..].TrimEnd('b') switch
        {
            "" => 0,
            "k" => 10,
            "m" => 20,
            "g" => 30,
            var unit => throw new FormatException($"Unknown byte unit '{unit}' in '{text}'."),
        };
        return number << shift;
    }
}
