using DirectDriveX.Node.DataPlane;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace DirectDriveX.Protocols;

/// <summary>
/// Tells this node's budget where its data plane listens, once the HTTP server has started, so gateways can forward upload
/// connections here: <c>DataPlane:AdvertisedUrl</c> when set, else the server's first address, a wildcard host
/// (0.0.0.0, [::], +, *) replaced by <c>Orleans:AdvertisedIP</c> (default 127.0.0.1).
/// </summary>
public static class NodeHttpAddressPublication
{
    public static WebApplication PublishNodeHttpAddress(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var url = Advertised(app.Configuration, addresses);
            if (url is not null) app.Services.GetRequiredService<NodeHttpAddress>().Set(url);
        });
        return app;
    }

    public static string? Advertised(IConfiguration configuration, IEnumerable<string> listening)
    {
        if (configuration["DataPlane:AdvertisedUrl"] is { Length: > 0 } configured) return configured;
        var first = listening.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? listening.FirstOrDefault();
        if (first is null) return null;
        var uri = new Uri(first.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"));
        var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? configuration["Orleans:AdvertisedIP"] ?? "127.0.0.1" : uri.Host;
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }
}
