namespace DirectDriveX.Gateway.Protocol;

/// <summary>The legacy client's display name: the last path segment, without control or reserved characters.</summary>
public static class LegacyFileNames
{
    public static string SafeForDisplay(string name)
    {
        var last = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var safe = new string(last.Where(c => !char.IsControl(c) && c is not ('<' or '>' or ':' or '"' or '|' or '?' or '*')).ToArray()).Trim().TrimStart('.');
        return safe.Length == 0 ? "file" : safe.Length > 255 ? safe[..255] : safe;
    }

    public static string Extension(string name) => Path.GetExtension(SafeForDisplay(name)).ToLowerInvariant();
}
