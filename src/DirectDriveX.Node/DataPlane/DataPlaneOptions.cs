using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Node.DataPlane;

/// <summary>Configuration section <c>DataPlane</c>: how gateways reach this node's upload protocols.</summary>
public sealed class DataPlaneOptions : IValidatableObject
{
    public const string Section = "DataPlane";

    /// <summary>The URL gateways forward this node's uploads to (published in its budget snapshot). Default: the server's
    /// first listening address, a wildcard host replaced by <c>Orleans:AdvertisedIP</c>.</summary>
    public string? AdvertisedUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AdvertisedUrl is { Length: > 0 } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && uri.Query == ""))
            yield return new ValidationResult($"{Section}:AdvertisedUrl ({url}) must be an http or https URL with no path, such as http://10.0.0.5:8081.",
                [nameof(AdvertisedUrl)]);
    }
}
