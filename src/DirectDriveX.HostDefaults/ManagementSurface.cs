using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace DirectDriveX.HostDefaults;

/// <summary>
/// The operator's surfaces of a process: the Orleans dashboard (<c>/dashboard</c>: every client's address or key name,
/// every session), Prometheus metrics (<c>/metrics</c>) and the gateway's node list (<c>/api/v1/cluster/nodes</c>). They are
/// not for the public upload port:
/// <list type="bullet">
/// <item><c>Management:Urls</c> (e.g. <c>["http://127.0.0.1:8085"]</c>): the process listens there too, and answers these
/// paths only on those ports (by the port the connection came in on, not by its Host header); elsewhere they are 404.</item>
/// <item><c>Management:Token</c>: these paths need it, as <c>Authorization: Bearer TOKEN</c> or as the password of HTTP Basic
/// (any user name; a browser asks for it, for the dashboard), compared in constant time; 401 otherwise.</item>
/// </list>
/// Either, both, or neither (the default: the embedded host on a laptop, as before). <c>/healthz</c> and <c>/readyz</c> are
/// never management paths: probes reach them on every port without a credential.
/// </summary>
public static class ManagementSurface
{
    public const string Section = "Management";

    /// <summary>The operator's paths (and everything under them).</summary>
    public static readonly string[] Paths = ["/dashboard", "/metrics", "/api/v1/cluster/nodes"];

    /// <summary>Adds <c>Management:Urls</c> to the addresses the server listens on, after the public ones (<c>Urls</c>, else
    /// <paramref name="defaultUrl"/>), which stay first: a silo's data plane is advertised from the first.</summary>
    public static WebApplicationBuilder AddManagementUrls(this WebApplicationBuilder builder, string defaultUrl)
    {
        var management = Urls(builder.Configuration);
        if (management.Length == 0) return builder;
        var main = builder.Configuration["Urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? defaultUrl;
        builder.WebHost.UseUrls([.. main.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), .. management]);
        return builder;
    }

    /// <summary>Guards the operator's paths as <c>Management</c> says; put it first in the pipeline.</summary>
    public static IApplicationBuilder UseManagementSurface(this IApplicationBuilder app, IConfiguration configuration)
    {
        var ports = Urls(configuration).Select(u => new Uri(u.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0")).Port).ToHashSet();
        var token = configuration[$"{Section}:Token"] is { Length: > 0 } t ? SHA256.HashData(Encoding.UTF8.GetBytes(t)) : null;
        if (ports.Count == 0 && token is null) return app;
        return app.Use(async (context, next) =>
        {
            if (!IsManagementPath(context.Request.Path))
            {
                await next(context);
                return;
            }
            if (ports.Count > 0 && !ports.Contains(context.Connection.LocalPort))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            if (token is not null && !Presents(context.Request, token))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"DirectDriveX management\", Bearer realm=\"DirectDriveX management\"";
                return;
            }
            await next(context);
        });
    }

    public static bool IsManagementPath(PathString path) => Paths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    public static string[] Urls(IConfiguration configuration)
    {
        var section = configuration.GetSection($"{Section}:Urls");
        // An array (Management:Urls:0, …) or one string with ';' between addresses.
        var urls = section.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        if (urls.Count == 0 && section.Value is { Length: > 0 } value) urls.AddRange(value.Split(';'));
        return [.. urls.Select(u => u.Trim()).Where(u => u.Length > 0)];
    }

    private static bool Presents(HttpRequest request, byte[] expected)
    {
        var header = request.Headers.Authorization.ToString();
        string? presented = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = header[7..].Trim();
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                presented = pair[(pair.IndexOf(':') + 1)..];
            }
            catch (FormatException)
            {
            }
        }
        return presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);
    }
}
