using DirectDriveX.Http;
using DirectDriveX.Http.Tus;
using DirectDriveX.Node.Draining;
using DirectDriveX.Protocols.Tus;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectDriveX.Protocols;

/// <summary>The upload protocols as one unit: the services they need and their endpoints, mapped by every process that hosts
/// a silo (the silo host, the embedded host). Each takes an upload's bytes into this node's data plane.</summary>
public static class UploadProtocolEndpoints
{
    public static IServiceCollection AddUploadProtocols(this IServiceCollection services)
    {
        services.AddUploadHttp();
        services.TryAddSingleton<ITusSessionStarter, LocalTusSessionStarter>(); // a gateway in the process registers its router first
        // Every open upload connection, so a leaving node or gateway can end them cleanly (UploadConnections).
        services.TryAddSingleton<NodeDrain>();
        services.TryAddSingleton<UploadConnections>();
        services.TryAddSingleton<IUploadConnectionDirectory>(sp => sp.GetRequiredService<UploadConnections>());
        return services;
    }

    /// <summary>The connections that carry an upload's bytes: native WebSocket, legacy WebSocket, PUT chunks, multipart, tus.</summary>
    public static IEndpointRouteBuilder MapUploadProtocols(this IEndpointRouteBuilder app)
    {
        app.MapUploadSocket();
        app.MapLegacyUploadSocket();
        app.MapUploadChunks();
        app.MapMultipartUpload();
        app.MapTus();
        return app;
    }
}
