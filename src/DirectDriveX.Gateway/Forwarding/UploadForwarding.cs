using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Protocols;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace DirectDriveX.Gateway.Forwarding;

/// <summary>
/// The gateway's side of the data plane, when the silos are other processes: each connection that carries an upload's bytes
/// (native and legacy WebSocket, PUT chunks, multipart) is forwarded as it is, with YARP's forwarder, to the node that holds
/// (or, for multipart, will hold) the session. The gateway keeps no state of its own and holds no upload's bytes beyond
/// YARP's copy buffers (64 KiB per direction per connection). When no node can be named, the client gets
/// <see cref="RefusalReason.NodeUnavailable"/>: a 503 with Retry-After, or on a WebSocket a typed error and close 1013.
/// </summary>
public static partial class UploadForwarding
{
    public static IServiceCollection AddUploadForwarding(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<NodeLocator>();
        services.AddSingleton(new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        }));
        return services;
    }

    public static IEndpointRouteBuilder MapUploadForwarding(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/upload/{uploadId}", ToSessionNodeAsync);
        app.Map("/ws_api/upload_parallel/{uploadId}", ToSessionNodeAsync);
        app.MapPut("/api/v1/uploads/{uploadId}/chunks", ToSessionNodeAsync).WithMetadata(new DisableRequestSizeLimitAttribute());
        app.MapPost("/api/v1/upload", ToRoomiestNodeAsync).WithMetadata(new DisableRequestSizeLimitAttribute()).DisableAntiforgery();
        return app;
    }

    private static readonly ForwarderRequestConfig Config = new() { ActivityTimeout = TimeSpan.FromMinutes(10) };

    private static async Task ToSessionNodeAsync(HttpContext context, string uploadId, NodeLocator locator, IHttpForwarder forwarder,
        HttpMessageInvoker http, RefusalResults refusals, ILoggerFactory loggers)
    {
        var node = await locator.OfSessionAsync(uploadId, context.RequestAborted);
        await ForwardAsync(context, node, forwarder, http, refusals, loggers.CreateLogger("DirectDriveX.Gateway.Forwarding"));
    }

    private static async Task ToRoomiestNodeAsync(HttpContext context, NodeLocator locator, IHttpForwarder forwarder,
        HttpMessageInvoker http, RefusalResults refusals, ILoggerFactory loggers)
    {
        // The file's size is not known before the node parses the form; ?size= or Content-Length bounds it well enough to rank.
        var size = long.TryParse(context.Request.Query["size"], out var declared) && declared > 0 ? declared : context.Request.ContentLength;
        var node = await locator.ForNewUploadAsync(size, context.RequestAborted);
        await ForwardAsync(context, node, forwarder, http, refusals, loggers.CreateLogger("DirectDriveX.Gateway.Forwarding"));
    }

    private static async Task ForwardAsync(HttpContext context, MemoryBudgetSnapshot? node, IHttpForwarder forwarder,
        HttpMessageInvoker http, RefusalResults refusals, ILogger logger)
    {
        if (node?.DataPlaneUrl is not { } destination)
        {
            await RefuseAsync(context, refusals, new UploadRefusal(RefusalReason.NodeUnavailable,
                "No live node holds this upload right now; retry shortly."));
            return;
        }
        var error = await forwarder.SendAsync(context, destination, http, Config, HttpTransformer.Default);
        if (error == ForwarderError.None) return;
        var feature = context.GetForwarderErrorFeature();
        LogForwardFailed(logger, context.Request.Path, node.NodeName, error, feature?.Exception?.Message);
        if (!context.Response.HasStarted)
            await RefuseAsync(context, refusals, new UploadRefusal(RefusalReason.NodeUnavailable,
                $"Node {node.NodeName} did not take the connection; retry shortly."));
    }

    /// <summary>A refusal in the request's own terms: problem+json, or for a WebSocket request an accepted socket that carries
    /// the typed error and a close whose status says what to do.</summary>
    private static Task RefuseAsync(HttpContext context, RefusalResults refusals, UploadRefusal refusal) =>
        FailureRefusals.RefuseRequestAsync(context, refusals, refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding {Path} to node {NodeName} failed: {Error} {Detail}")]
    private static partial void LogForwardFailed(ILogger logger, string path, string nodeName, ForwarderError error, string? detail);
}
