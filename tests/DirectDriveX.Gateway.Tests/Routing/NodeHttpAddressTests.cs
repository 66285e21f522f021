using DirectDriveX.Protocols;
using Microsoft.Extensions.Configuration;

namespace DirectDriveX.Gateway.Tests.Routing;

/// <summary>Where a node tells gateways to forward its upload connections.</summary>
public class NodeHttpAddressTests
{
    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();

    [Fact]
    public void A_loopback_listener_is_advertised_as_it_is()
    {
        Assert.Equal("http://127.0.0.1:8081", NodeHttpAddressPublication.Advertised(Config(), ["http://127.0.0.1:8081"]));
    }

    [Theory]
    [InlineData("http://0.0.0.0:8081")]
    [InlineData("http://[::]:8081")]
    [InlineData("http://+:8081")]
    [InlineData("http://*:8081")]
    public void A_wildcard_listener_is_advertised_at_the_silos_advertised_ip(string listening)
    {
        Assert.Equal("http://172.28.0.11:8081",
            NodeHttpAddressPublication.Advertised(Config(("Orleans:AdvertisedIP", "172.28.0.11")), [listening]));
    }

    [Fact]
    public void A_configured_address_wins_and_http_is_preferred_over_https()
    {
        Assert.Equal("http://silo-1.internal:9000",
            NodeHttpAddressPublication.Advertised(Config(("DataPlane:AdvertisedUrl", "http://silo-1.internal:9000")), ["http://127.0.0.1:8081"]));
        Assert.Equal("http://127.0.0.1:8081", NodeHttpAddressPublication.Advertised(Config(), ["https://127.0.0.1:8443", "http://127.0.0.1:8081"]));
        Assert.Null(NodeHttpAddressPublication.Advertised(Config(), []));
    }
}
