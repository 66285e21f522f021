using DirectDriveX.Node.DataPlane;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;

namespace DirectDriveX.Protocols;

/// <summary>
/// Tells this node's budget where its data plane listens, once the HTTP server has started, so gateways can forward upload
/// connections here: <c>DataPlane:AdvertisedUrl</c> (<see cref="DataPlaneOptions"/>) when set, else the server's first
/// address, a wildcard host (0.0.0.0, [::], +, *) replaced by the silo's advertised IP (<c>Orleans:AdvertisedIP</c>).
/// </summary>
public static class NodeHttpAddressPublication
{
    /// <param name="advertisedIp">The address other members reach this silo at (<c>Orleans:AdvertisedIP</c>).</param>
    public static WebApplication PublishNodeHttpAddress(this WebApplication app, string advertisedIp)
    {
        var configured = app.Services.GetRequiredService<IOptions<DataPlaneOptions>>().Value.AdvertisedUrl;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var url = Advertised(configured, advertisedIp, addresses);
            if (url is not null) app.Services.GetRequiredService<NodeHttpAddress>().Set(url);
        });
        return app;
    }

    public static string? Advertised(string? configured, string advertisedIp, IEnumerable<string> listening)
    {
        if (configured is { Length: > 0 }) return configured;
        var first = listening.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? listening.FirstOrDefault();
        if (first is null) return null;
        var uri = new Uri(first.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"));
        var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? advertisedIp : uri.Host;
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }
}
