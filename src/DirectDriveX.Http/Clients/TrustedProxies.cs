using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace DirectDriveX.Http.Clients;

/// <summary>ASP.NET Core's forwarded-headers middleware, believing <c>X-Forwarded-For</c> only from <c>Clients:TrustedProxies</c>
/// (none by default, not even loopback), so the remote address a client is counted by cannot be chosen by the client.</summary>
public static class TrustedProxies
{
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        var proxies = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClientOptions>>().Value.TrustedProxies;
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = 1 };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var proxy in proxies)
        {
            if (IPAddress.TryParse(proxy, out var address)) options.KnownProxies.Add(address);
            else options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
        }
        return proxies.Count == 0 ? app : app.UseForwardedHeaders(options);
    }
}
