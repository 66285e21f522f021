namespace DirectDriveX.Gateway.Hosting;

/// <summary>How the gateway reaches the grains.</summary>
public enum ClusterMode
{
    /// <summary>One silo in this process, localhost clustering, grain state in files of the store: the whole system on a laptop
    /// (the embedded host, <c>DirectDriveX.Embedded</c>, sets it).</summary>
    Embedded,
    /// <summary>An Orleans client of silo processes on this machine (localhost clustering, gateway ports listed in options;
    /// a gateway process's default).</summary>
    Localhost,
    /// <summary>An Orleans client of a Redis-clustered cluster (chosen whenever ConnectionStrings:Redis is set).</summary>
    Redis,
    /// <summary>No Orleans wiring: the host supplies IClusterClient itself (tests with a TestingHost cluster).</summary>
    External,
}
