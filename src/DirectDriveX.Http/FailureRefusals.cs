using DirectDriveX.Grains.Interfaces;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;

namespace DirectDriveX.Http;

/// <summary>
/// The one mapping from an unexpected exception to a refusal from the table: a grain call or membership failure
/// (<see cref="OrleansException"/> and its kinds: SiloUnavailableException, OrleansMessageRejectionException,
/// ConnectionFailedException …; or a <see cref="TimeoutException"/>) is <see cref="RefusalReason.NodeUnavailable"/>
/// (retryable, 503 + Retry-After, WebSocket 1013); a request Kestrel could not read (<see cref="BadHttpRequestException"/>: a
/// malformed chunked body, a body over the server's limit) is the client's <see cref="RefusalReason.InvalidRequest"/> (400,
/// with Kestrel's own description of what was wrong); anything else is a <see cref="RefusalReason.ServerFault"/> with a
/// generic message (500, WebSocket 1011), logged with its exception. No other exception text reaches a client.
/// </summary>
public static class FailureRefusals
{
    public static bool IsNodeUnavailable(Exception exception) =>
        exception is OrleansException or TimeoutException
        || IsStateStoreUnavailable(exception)
        || (exception is AggregateException { InnerExceptions.Count: 1 } aggregate && IsNodeUnavailable(aggregate.InnerExceptions[0]));

    /// <summary>The cluster's state store (Redis: membership and grain state) did not answer: a StackExchange.Redis connection
    /// or timeout failure, here or in a grain (where Orleans, which cannot serialize the client's exceptions, reports it as a
    /// codec failure naming its type). Retryable: the store comes back, or fails over (Sentinel).</summary>
    public static bool IsStateStoreUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.GetType().FullName?.StartsWith("StackExchange.Redis.", StringComparison.Ordinal) == true) return true;
            if (e.Message.Contains("StackExchange.Redis.Redis", StringComparison.Ordinal)) return true;
            if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) return IsStateStoreUnavailable(aggregate.InnerExceptions[0]);
        }
        return false;
    }

    public static UploadRefusal For(Exception exception) => exception is BadHttpRequestException malformed
        ? new UploadRefusal(RefusalReason.InvalidRequest, $"The request could not be read: {malformed.Message}")
        : IsStateStoreUnavailable(exception)
        ? new UploadRefusal(RefusalReason.NodeUnavailable, "The cluster's state store cannot be reached now; retry shortly.")
        : IsNodeUnavailable(exception)
            ? new UploadRefusal(RefusalReason.NodeUnavailable, "The node holding this upload or file cannot be reached now; retry shortly.")
            : new UploadRefusal(RefusalReason.ServerFault, "The server failed to handle this request; retry later.");

    /// <summary>Registers the exception handler (with <see cref="UseUploadFailureRefusals"/>, every HTTP endpoint of the
    /// process answers an unexpected exception with a typed problem+json, and a WebSocket request not yet accepted with a
    /// typed error message and close).</summary>
    public static IServiceCollection AddUploadFailureRefusals(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<FailureExceptionHandler>();
        return services;
    }

    public static IApplicationBuilder UseUploadFailureRefusals(this IApplicationBuilder app) => app.UseExceptionHandler();

    /// <summary>Writes <paramref name="refusal"/> as the request expects it: problem+json, or, for a WebSocket request, an
    /// accepted socket that carries the typed error (<c>message</c>, and <c>value</c> for the legacy client) and the close.</summary>
    public static async Task RefuseRequestAsync(HttpContext context, RefusalResults refusals, UploadRefusal refusal)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            using var messenger = new SocketMessenger(socket);
            await using var handshake = new CloseHandshake(messenger);
            await messenger.RefuseAsync(refusal);
            return;
        }
        await refusals.Problem(context, refusal).ExecuteAsync(context);
    }

}

/// <summary>The exception handler behind <see cref="FailureRefusals.UseUploadFailureRefusals"/>.</summary>
public sealed partial class FailureExceptionHandler(RefusalResults refusals, ILogger<FailureExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.RequestAborted.IsCancellationRequested) return false; // the client left: nobody to answer
        var refusal = FailureRefusals.For(exception);
        if (refusal.Reason == RefusalReason.InvalidRequest) LogMalformed(logger, context.Request.Method, context.Request.Path, exception.Message);
        else if (refusal.Reason == RefusalReason.NodeUnavailable) LogUnavailable(logger, context.Request.Method, context.Request.Path, exception.GetType().Name, exception.Message);
        else LogFailed(logger, exception, context.Request.Method, context.Request.Path);
        if (context.Response.HasStarted) return false;
        // The exception handler cleared the response: a tus answer gets its tus headers again (Tus-Resumable on every response).
        if (context.RequestServices.GetService<Microsoft.Extensions.Options.IOptions<Tus.TusOptions>>()?.Value is { } tus
            && context.Request.Path.StartsWithSegments(tus.Path.TrimEnd('/'), StringComparison.Ordinal))
            Tus.TusProtocol.ApplyResponseHeaders(context, tus);
        await FailureRefusals.RefuseRequestAsync(context, refusals, refusal);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered NodeUnavailable: {ExceptionType} {Detail}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string exceptionType, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} answered InvalidRequest: {Detail}")]
    private static partial void LogMalformed(ILogger logger, string method, string path, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed; answered ServerFault")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string path);
}
