using System.ComponentModel.DataAnnotations;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Protocols;

namespace DirectDriveX.Gateway.Tests.Routing;

/// <summary>Where a node tells gateways to forward its upload connections.</summary>
public class NodeHttpAddressTests
{
    [Fact]
    public void A_loopback_listener_is_advertised_as_it_is()
    {
        Assert.Equal("http://127.0.0.1:8081", NodeHttpAddressPublication.Advertised(null, "127.0.0.1", ["http://127.0.0.1:8081"]));
    }

    [Theory]
    [InlineData("http://0.0.0.0:8081")]
    [InlineData("http://[::]:8081")]
    [InlineData("http://+:8081")]
    [InlineData("http://*:8081")]
    public void A_wildcard_listener_is_advertised_at_the_silos_advertised_ip(string listening)
    {
        Assert.Equal("http://172.28.0.11:8081",
            NodeHttpAddressPublication.Advertised(null, "172.28.0.11", [listening]));
    }

    [Fact]
    public void A_configured_address_wins_and_http_is_preferred_over_https()
    {
        Assert.Equal("http://silo-1.internal:9000",
            NodeHttpAddressPublication.Advertised("http://silo-1.internal:9000", "127.0.0.1", ["http://127.0.0.1:8081"]));
        Assert.Equal("http://127.0.0.1:8081", NodeHttpAddressPublication.Advertised(null, "127.0.0.1", ["https://127.0.0.1:8443", "http://127.0.0.1:8081"]));
        Assert.Null(NodeHttpAddressPublication.Advertised(null, "127.0.0.1", []));
    }

    [Theory]
    [InlineData("silo-1:9000")]
    [InlineData("ftp://silo-1:9000")]
    [InlineData("http://silo-1:9000/uploads")]
    public void A_configured_address_that_is_not_a_base_url_is_refused_at_start(string url)
    {
        var options = new DataPlaneOptions { AdvertisedUrl = url };
        var results = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Equal($"DataPlane:AdvertisedUrl ({url}) must be an http or https URL with no path, such as http://10.0.0.5:8081.", Assert.Single(results).ErrorMessage);
        var valid = new DataPlaneOptions { AdvertisedUrl = "https://silo-1.internal:9000" };
        Assert.True(Validator.TryValidateObject(valid, new ValidationContext(valid), [], validateAllProperties: true));
    }
}
