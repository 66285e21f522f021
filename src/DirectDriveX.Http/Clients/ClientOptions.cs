using System.ComponentModel.DataAnnotations;
using System.Net;

namespace DirectDriveX.Http.Clients;

/// <summary>Configuration section <c>Clients</c>: the limits of every client, those of clients without an API key, and the
/// proxies whose <c>X-Forwarded-For</c> is believed.</summary>
public sealed class ClientOptions : IValidatableObject
{
    public const string Section = "Clients";

    /// <summary>Live uploads one client may hold at once (an API key may set its own). Default 5.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentUploads { get; set; } = 5;

    /// <summary>Largest file a client without an API key may upload; unset: <c>Uploads:MaxFileSizeBytes</c> only.</summary>
    [Range(1, long.MaxValue)]
    public long? KeylessMaxFileBytes { get; set; }

    /// <summary>Bytes a client without an API key may upload per UTC day; unset: no daily limit.</summary>
    [Range(1, long.MaxValue)]
    public long? KeylessBytesPerDay { get; set; }

    /// <summary>Addresses (<c>10.0.0.5</c>) or networks (<c>10.0.0.0/8</c>) of proxies in front of this process whose
    /// <c>X-Forwarded-For</c> names the client. Default none: the client is the connection's remote address. A silo behind
    /// the gateway lists the gateways' addresses, since the gateway forwards multipart and tus creations to it.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in TrustedProxies.Where(p => !IPNetwork.TryParse(p, out _) && !IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"Clients:TrustedProxies: {proxy} is neither an address nor a network (CIDR).", [nameof(TrustedProxies)]);
    }
}
