using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.HostDefaults;

/// <summary>Configuration section <c>Orleans</c>: how this silo joins its cluster.</summary>
public sealed class SiloHostOptions
{
    public const string Section = "Orleans";

    [Required] public string ClusterId { get; set; } = "directdrivex";
    [Required] public string ServiceId { get; set; } = "directdrivex";

    /// <summary>The silo's name in logs, the dashboard and node lists. Default: the machine name and silo port.</summary>
    public string? SiloName { get; set; }

    [Range(1, 65535)] public int SiloPort { get; set; } = 11111;
    [Range(1, 65535)] public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this one at. Default 127.0.0.1.</summary>
    [Required] public string AdvertisedIP { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface (in a container) rather than only the advertised address.</summary>
    public bool ListenOnAnyHostAddress { get; set; }

    /// <summary>Localhost clustering only: the first silo's endpoint (host:port) that later silos join. Default: this silo.</summary>
    public string? PrimarySiloEndpoint { get; set; }
}
