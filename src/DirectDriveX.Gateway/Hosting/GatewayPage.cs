using Microsoft.Extensions.FileProviders;

namespace DirectDriveX.Gateway.Hosting;

/// <summary>The upload page (<c>wwwroot</c>), served from the gateway assembly's resources: the same page in a gateway
/// process and in the embedded host, whatever the content root.</summary>
public static class GatewayPage
{
    public static WebApplication UseGatewayPage(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(GatewayPage).Assembly, $"{typeof(GatewayPage).Assembly.GetName().Name}.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }
}
