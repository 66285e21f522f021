using System.Net;
using DirectDriveX.Gateway.Tests.Infrastructure;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Clients;

/// <summary>With no trusted proxy (the default), X-Forwarded-For is the client's own claim and is ignored: the client is its
/// connection's address, whichever process (gateway, or the node a multipart request is forwarded to) counts it.</summary>
[Collection(GatewayCollection.Name)]
public class UntrustedForwardedForTests(DefaultGatewayFixture fixture)
{
    [Fact]
    public async Task A_client_cannot_choose_the_address_it_is_counted_by()
    {
        var claimed = new ClientRequests(fixture.Http, address: "203.0.113.250");
        var created = await claimed.CreateAsync(1000);
        var multipart = await claimed.MultipartAsync(TestBytes.Random(1000, seed: 12));
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (created.Status, multipart.Status));

        Assert.Empty((await fixture.Grains.GetGrain<IUploadClientGrain>("addr:203.0.113.250").GetState()).LiveUploads);
        Assert.Contains(created.UploadId, (await fixture.Grains.GetGrain<IUploadClientGrain>("addr:127.0.0.1").GetState()).LiveUploads);
        await fixture.Grains.GetGrain<IUploadSessionGrain>(created.UploadId).Abort();
    }
}
