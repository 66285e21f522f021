namespace DirectDriveX.HostDefaults.Tests;

/// <summary>
/// Tests that create meters named DirectDriveX run one at a time: an OpenTelemetry MeterProvider listens to every meter of
/// that name in the process, so a scrape taken while another test's meter is alive would show that meter's series too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeterCollection
{
    public const string Name = "DirectDriveX meter";
}
