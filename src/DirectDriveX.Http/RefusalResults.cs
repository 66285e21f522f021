using System.Globalization;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Http;

/// <summary>Refusals as problem+json: status by <see cref="RefusalMapping"/>, the reason, the figures, and Retry-After when retrying helps.</summary>
public sealed class RefusalResults(IOptions<ProtocolOptions> options, UploadMetrics metrics, TimeProvider clock)
{
    public IResult Problem(HttpContext context, UploadRefusal refusal) => Problem(context, refusal, RefusalMapping.HttpStatus(refusal.Reason));

    /// <summary>As <see cref="Problem(HttpContext, UploadRefusal)"/>, with more members in the problem (e.g. the upload a
    /// multipart request had started, so its client can continue it).</summary>
    public IResult Problem(HttpContext context, UploadRefusal refusal, IReadOnlyDictionary<string, object?> more) =>
        Problem(context, refusal, RefusalMapping.HttpStatus(refusal.Reason), more);

    /// <summary>A refusal on the tus endpoint: status by <see cref="RefusalMapping.TusHttpStatus"/>; no body for HEAD.</summary>
    public IResult Tus(HttpContext context, UploadRefusal refusal)
    {
        var status = RefusalMapping.TusHttpStatus(refusal.Reason);
        if (!HttpMethods.IsHead(context.Request.Method)) return Problem(context, refusal, status);
        SetHeaders(context, refusal);
        return Results.StatusCode(status);
    }

    private IResult Problem(HttpContext context, UploadRefusal refusal, int status, IReadOnlyDictionary<string, object?>? more = null)
    {
        var extensions = new Dictionary<string, object?> { ["reason"] = refusal.Reason.ToString() };
        foreach (var (key, value) in more ?? new Dictionary<string, object?>()) extensions[key] = value;
        if (refusal.ExpectedOffset is { } expected) extensions["expectedOffset"] = expected;
        if (refusal.Figures is { } figures) extensions["figures"] = figures;
        if (refusal.Quota is { } quota) extensions["quota"] = quota;
        if (SetHeaders(context, refusal) is { } seconds) extensions["retryAfterSeconds"] = seconds;
        var title = status == RefusalMapping.TusChecksumMismatch ? "The request body does not match its Upload-Checksum." : Title(refusal.Reason);
        return Results.Problem(refusal.Message, statusCode: status, title: title, extensions: extensions,
            type: $"https://directdrivex.dev/problems/{refusal.Reason}");
    }

    /// <summary>Retry-After when waiting helps (seconds, returned), and for a missing or wrong API key the scheme to use.</summary>
    private int? SetHeaders(HttpContext context, UploadRefusal refusal)
    {
        if (refusal.Reason == RefusalReason.Unauthenticated)
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"DirectDriveX\"";
        if (RefusalMapping.RetryAfter(refusal, options.Value.RetryAfter, clock.GetUtcNow()) is not { } after) return null;
        var seconds = (int)Math.Ceiling(after.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }

    public IResult Invalid(HttpContext context, string message) =>
        Problem(context, new UploadRefusal(RefusalReason.InvalidRequest, message));

    /// <summary>A request to start an upload that the gateway's own checks refuse before any node is asked: counted as a
    /// refused upload, as the starter counts the ones a node refuses.</summary>
    public IResult InvalidStart(HttpContext context, string message) =>
        RefusedStart(context, new UploadRefusal(RefusalReason.InvalidRequest, message));

    /// <summary>As <see cref="InvalidStart"/>, for any refusal of the gateway's own checks.</summary>
    public IResult RefusedStart(HttpContext context, UploadRefusal refusal)
    {
        metrics.UploadRefused(refusal.Reason);
        return Problem(context, refusal);
    }

    private static string Title(RefusalReason reason) => reason switch
    {
        RefusalReason.InsufficientHeadroom => "No node has the memory for this upload right now; retry later.",
        RefusalReason.BuffersExhausted => "The node is busy; retry shortly.",
        RefusalReason.FileTooLarge => "The file is larger than this service accepts.",
        RefusalReason.ChunkTooLarge => "The message is larger than allowed here.",
        RefusalReason.PastDeclaredSize => "The data runs past the upload's declared size.",
        RefusalReason.InvalidRequest => "The request is invalid.",
        RefusalReason.OffsetMismatch => "The data does not continue the upload where it stands.",
        RefusalReason.NotFound => "No such upload or file.",
        RefusalReason.Unauthorized => "The token or key presented does not authorise this upload or file.",
        RefusalReason.InvalidState => "The upload is not in a state that allows this.",
        RefusalReason.Incomplete => "The upload is not complete yet.",
        RefusalReason.HashMismatch => "The received data does not match the declared SHA-256.",
        RefusalReason.Expired => "The upload expired.",
        RefusalReason.Aborted => "The upload was aborted.",
        RefusalReason.NodeUnavailable => "The node holding this upload is not reachable now; retry shortly.",
        RefusalReason.UnsupportedMediaType => "The request body is not in a media type this endpoint reads.",
        RefusalReason.InsufficientStorage => "The file store has not the free space for this upload right now; retry later.",
        RefusalReason.TooManyUploads => "This client holds as many live uploads as it may; retry when one ends.",
        RefusalReason.QuotaExceeded => "This upload would take the client past its quota for today.",
        RefusalReason.Unauthenticated => "A valid API key (or, to delete a file, its delete token) is needed.",
        RefusalReason.ReadOnly => "The upload takes no bytes of its own.",
        _ => "The server could not store the data.",
    };
}
