using DirectDriveX.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary>The embedded host composes the gateway and the node in one process, and both register the upload API's HTTP
/// services: a second registration must not add a second failure handler or receive-block pool.</summary>
public class UploadHttpServicesTests
{
    [Fact]
    public void Registering_the_upload_http_services_twice_registers_them_once()
    {
        var services = new ServiceCollection().AddUploadHttp().AddUploadHttp();

        Assert.Single(services, d => d.ServiceType == typeof(IExceptionHandler));
        Assert.Single(services, d => d.ServiceType == typeof(IMemoryPoolFactory<byte>));
        Assert.Single(services, d => d.ServiceType == typeof(RefusalResults));
    }
}
