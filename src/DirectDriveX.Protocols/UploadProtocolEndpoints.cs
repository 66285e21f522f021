using DirectDriveX.Grains.Interfaces.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using DirectDriveX.Node;
using DirectDriveX.Protocols.Tus;

namespace DirectDriveX.Protocols;

/// <summary>The upload protocols as one unit: the services they need and their endpoints, mapped by every process that hosts
/// a silo (the silo host; the embedded host, through the gateway's composition). Each takes an upload's bytes into this node's data plane.</summary>
public static class UploadProtocolEndpoints
{
    public static IServiceCollection AddUploadProtocols(this IServiceCollection services)
    {
        services.AddOptions<ProtocolOptions>().BindConfiguration(ProtocolOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<UploadMetrics>();
        services.TryAddSingleton<RefusalResults>();
        services.AddUploadFailureRefusals();
        services.AddOptions<Tus.TusOptions>().BindConfiguration(Tus.TusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddUploadOptions();
        services.TryAddSingleton<Tus.ITusSessionStarter, Tus.LocalTusSessionStarter>();
        services.TryAddSingleton<Tus.TusConcatenation>(); // resolved only where a data plane is (silo hosts, the embedded host)
        services.AddOptions<Clients.AuthOptions>().BindConfiguration(Clients.AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Clients.ClientOptions>().BindConfiguration(Clients.ClientOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<Clients.UploadClientIdentity>();
        // Every open upload connection, so a leaving node or gateway can end them cleanly (UploadConnections).
        services.TryAddSingleton<DirectDriveX.Node.Draining.NodeDrain>();
        services.TryAddSingleton<UploadConnections>();
        services.TryAddSingleton<DirectDriveX.Node.Draining.IUploadConnectionDirectory>(sp => sp.GetRequiredService<UploadConnections>());
        // Kestrel receives into 64 KiB blocks: 16× fewer recv calls per uploaded byte (benchmarks/README.md).
        services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, Transport.ReceiveBlockMemoryPoolFactory>();
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
