namespace DirectDriveX.Http.Tus;

/// <summary>Configuration section <c>Tus</c>: where the tus 1.0.0 endpoint lives and which browser origins may use it.</summary>
public sealed class TusOptions
{
    public const string Section = "Tus";

    /// <summary>The endpoint's path, with a leading and a trailing slash. Default <c>/files/</c>.</summary>
    [System.ComponentModel.DataAnnotations.RegularExpression("^/([A-Za-z0-9._~-]+/)*$")]
    public string Path { get; set; } = "/files/";

    /// <summary>Origins allowed to call the endpoint from a browser (CORS); <c>*</c> allows any. Default none (same origin only).</summary>
    public string[] AllowedOrigins { get; set; } = [];
}
