namespace DirectDriveX.HostDefaults;

/// <summary>Meters other than DirectDriveX's own that the hosts export.</summary>
public static class TelemetryMeters
{
    /// <summary>Orleans' own instruments (messaging, activations, grain calls).</summary>
    public const string Orleans = "Microsoft.Orleans";

    /// <summary>The .NET runtime's built-in instruments (GC heap, working set, thread pool).</summary>
    public const string Runtime = "System.Runtime";
}
