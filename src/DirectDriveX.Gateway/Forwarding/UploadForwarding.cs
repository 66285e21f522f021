using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Http;
using DirectDriveX.Http.Tus;
using Microsoft.AspNetCore.Http.Features;
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
        services.AddSingleton(new HttpMessageInvoker(Configure(new SocketsHttpHandler())));
        // Requests with a body go over connections that let a node's early answer through (EarlyAnswerConnection).
        services.AddKeyedSingleton<HttpMessageInvoker>(typeof(EarlyAnswerBody), new HttpMessageInvoker(EarlyAnswerConnection.Handler(h => Configure(h))));
        return services;
    }

    private static SocketsHttpHandler Configure(SocketsHttpHandler handler)
    {
        handler.UseProxy = false;
        handler.AllowAutoRedirect = false;
        handler.AutomaticDecompression = DecompressionMethods.None;
        handler.UseCookies = false;
        handler.ConnectTimeout = TimeSpan.FromSeconds(5);
        handler.ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current);
        return handler;
    }

    public static IEndpointRouteBuilder MapUploadForwarding(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/upload/{uploadId}", ToSessionNodeAsync);
        app.Map("/ws_api/upload_parallel/{uploadId}", ToSessionNodeAsync);
        app.MapPut("/api/v1/uploads/{uploadId}/chunks", ToSessionNodeAsync).WithMetadata(new DisableRequestSizeLimitAttribute());
        app.MapPost("/api/v1/upload", ToRoomiestNodeAsync).WithMetadata(new DisableRequestSizeLimitAttribute()).DisableAntiforgery();
        app.MapTusForwarding();
        return app;
    }

    /// <summary>tus on the gateway when the silos are other processes: OPTIONS, the version check and CORS answered here;
    /// a creation without bytes is a control call here (routed by <c>UploadStarter</c>); a creation with bytes and a final
    /// concatenation go to the node with the most headroom for their length, which starts the session on itself; HEAD,
    /// PATCH and DELETE on an upload URL go to the node holding that session.</summary>
    private static IEndpointRouteBuilder MapTusForwarding(this IEndpointRouteBuilder app)
    {
        var path = app.ServiceProvider.GetRequiredService<IOptions<TusOptions>>().Value.Path;
        app.Map(path, (Delegate)TusCollectionAsync).WithMetadata(new DisableRequestSizeLimitAttribute());
        app.Map(path + "{key}", (Delegate)TusUploadAsync).WithMetadata(new DisableRequestSizeLimitAttribute());
        return app;
    }

    private static async Task<IResult> TusCollectionAsync(HttpContext context, NodeLocator locator, IHttpForwarder forwarder,
        HttpMessageInvoker http, RefusalResults refusals, ILoggerFactory loggers)
    {
        var (tus, maxSize) = TusCreation.Settings(context);
        if (TusProtocol.Prelude(context, tus, maxSize) is { } done) return done;
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "OPTIONS, POST";
            return Results.StatusCode(StatusCodes.Status405MethodNotAllowed);
        }
        if (!(TusProtocol.CarriesBody(request) || TusConcat.IsFinalRequest(request)))
            return await TusCreation.CreateAsync(context); // creation: a control call
        var size = long.TryParse(request.Headers["Upload-Length"], out var length) ? length : (long?)null;
        var node = await locator.ForNewUploadAsync(size, context.RequestAborted);
        await ForwardAsync(context, node, forwarder, http, refusals, loggers.CreateLogger("DirectDriveX.Gateway.Forwarding"), tus: true);
        return Results.Empty;
    }

    private static async Task<IResult> TusUploadAsync(HttpContext context, string key, NodeLocator locator, IHttpForwarder forwarder,
        HttpMessageInvoker http, RefusalResults refusals, ILoggerFactory loggers)
    {
        var (tus, maxSize) = TusCreation.Settings(context);
        if (TusProtocol.Prelude(context, tus, maxSize) is { } done) return done;
        var node = await locator.OfSessionAsync(TusProtocol.ParseKey(key).UploadId, context.RequestAborted);
        var trailer = TusTrailerRelay.Begin(context); // checksum-trailer: checked here, the trailer cannot be forwarded
        await ForwardAsync(context, node, forwarder, http, refusals, loggers.CreateLogger("DirectDriveX.Gateway.Forwarding"), tus: true,
            bodyRefusal: () => trailer?.Refusal);
        return Results.Empty;
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

    /// <param name="bodyRefusal">Why the gateway itself broke off the request's body, if it did: the client's answer then.</param>
    private static async Task ForwardAsync(HttpContext context, MemoryBudgetSnapshot? node, IHttpForwarder forwarder,
        HttpMessageInvoker http, RefusalResults refusals, ILogger logger, bool tus = false, Func<UploadRefusal?>? bodyRefusal = null)
    {
        if (node?.DataPlaneUrl is not { } destination)
        {
            await RefuseAsync(context, refusals, new UploadRefusal(RefusalReason.NodeUnavailable,
                "No live node holds this upload right now; retry shortly."), tus);
            return;
        }
        // Counted while it lasts, and named by this gateway's id, so that a leaving gateway can have the node end it cleanly.
        var drain = context.RequestServices.GetRequiredService<GatewayDrain>();
        using var forward = drain.BeginForward();
        var carriesBody = CarriesBody(context);
        using var body = carriesBody && !FitsSharedConnection(context) ? EarlyAnswerBody.Begin(context) : null;
        if (body is not null) http = context.RequestServices.GetRequiredKeyedService<HttpMessageInvoker>(typeof(EarlyAnswerBody));
        var error = await forwarder.SendAsync(context, destination, http, Config,
            new GatewayTag(drain.Id, tus ? TusResponseHeaders.Instance : HttpTransformer.Default, carriesBody, body));
        if (error == ForwarderError.None) return;
        if (bodyRefusal?.Invoke() is { } refused)
        {
            if (!context.Response.HasStarted) await RefuseAsync(context, refusals, refused, tus);
            return;
        }
        var feature = context.GetForwarderErrorFeature();
        LogForwardFailed(logger, context.Request.Path, node.NodeName, error, feature?.Exception?.Message);
        if (!context.Response.HasStarted)
            await RefuseAsync(context, refusals, new UploadRefusal(RefusalReason.NodeUnavailable,
                $"Node {node.NodeName} did not take the connection; retry shortly."), tus);
    }

    private static bool CarriesBody(HttpContext context) =>
        !context.WebSockets.IsWebSocketRequest && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;

    /// <summary>A small body of a declared length (<see cref="GatewayOptions.SharedConnectionBodyLimit"/>) goes over a pooled
    /// connection: sent whole in a moment, an early answer would reach its client no sooner than the node's late one (a node
    /// that answers first reads and drops the rest, as Kestrel does after any early answer), and it saves a TCP handshake and
    /// a connection's setup per upload.</summary>
    private static bool FitsSharedConnection(HttpContext context) =>
        context.Request.ContentLength is { } length
        && length <= context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.SharedConnectionBodyLimit;

    /// <summary>A refusal in the request's own terms: problem+json, or for a WebSocket request an accepted socket that carries
    /// the typed error and a close whose status says what to do.</summary>
    private static async Task RefuseAsync(HttpContext context, RefusalResults refusals, UploadRefusal refusal, bool tus = false)
    {
        if (tus)
        {
            TusProtocol.ApplyResponseHeaders(context, TusCreation.Settings(context).Tus);
            await refusals.Tus(context, refusal).ExecuteAsync(context);
        }
        else await FailureRefusals.RefuseRequestAsync(context, refusals, refusal);
    }

    /// <summary>Names this gateway (<see cref="GatewayHeader.Name"/>, its random id) on the forwarded request,
    /// over any such header the client sent; otherwise as <paramref name="inner"/>. A request with a body has no Expect (this
    /// gateway answers any 100-continue itself); with an <paramref name="earlyAnswer"/> body it also has a connection to the
    /// node of its own (Connection: close), so that an early answer is its own.</summary>
    private sealed class GatewayTag(string gatewayId, HttpTransformer inner, bool carriesBody, EarlyAnswerBody? earlyAnswer) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Remove(GatewayHeader.Name);
            proxyRequest.Headers.TryAddWithoutValidation(GatewayHeader.Name, gatewayId);
            if (!carriesBody) return;
            proxyRequest.Headers.ExpectContinue = null;
            proxyRequest.Headers.Remove("Expect");
            if (earlyAnswer is not null) proxyRequest.Headers.ConnectionClose = true;
        }

        public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
            inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

        public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
            inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
    }

    /// <summary>A node's tus answer leaves the gateway with the gateway's own tus headers (Tus-Resumable, and CORS by this
    /// gateway's <c>Tus:AllowedOrigins</c>), set over whatever the node sent, never doubled. The request goes as every
    /// forwarded request does (<see cref="HttpTransformer.Default"/>: X-Forwarded-For names the client to the node).</summary>
    private sealed class TusResponseHeaders : HttpTransformer
    {
        public static readonly TusResponseHeaders Instance = new();

        public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken) =>
            Default.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            TusProtocol.ApplyResponseHeaders(httpContext, TusCreation.Settings(httpContext).Tus);
            return proceed;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding {Path} to node {NodeName} failed: {Error} {Detail}")]
    private static partial void LogForwardFailed(ILogger logger, string path, string nodeName, ForwarderError error, string? detail);
}
