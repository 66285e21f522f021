using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.HostDefaults;

/// <summary>Configuration section <c>Shutdown</c>: how a silo or gateway leaves on SIGTERM.</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>The most a stop may take, from SIGTERM to the process's exit, whatever its clients do: the upload connections
    /// are told to reconnect and given up to half of it to end, the rest goes to leaving the cluster; the host's own
    /// shutdown timeout (and so Kestrel's wait for connections) is bounded by it. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a gateway answers <c>/readyz</c> 503 before it refuses new requests, so that a load balancer that
    /// probes it stops sending first. Default 0 (the cluster scripts' clients try the next gateway at once); set it to the
    /// balancer's probe interval where one is in front.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan UnreadyDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The share of <see cref="DrainTimeout"/> that upload connections get to end after being told to reconnect.</summary>
    public TimeSpan ConnectionDrainTimeout => DrainTimeout / 2;

    /// <summary>What the host's stop may take: the drain timeout less a margin for the process to exit after it.</summary>
    public TimeSpan HostShutdownTimeout => DrainTimeout - TimeSpan.FromMilliseconds(Math.Min(1000, DrainTimeout.TotalMilliseconds / 10));
}
