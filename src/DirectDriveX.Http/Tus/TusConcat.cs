using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http.Tus;

/// <summary>
/// <c>Upload-Concat</c> (concatenation extension): <c>partial</c>, or <c>final;</c> and the space-separated URLs of the partial
/// uploads. Any other value is refused (400), never taken for an ordinary upload. The header is kept as received and answered
/// on HEAD (<see cref="UploadRequest.TusConcat"/>).
/// </summary>
public sealed record TusConcat(bool IsPartial, IReadOnlyList<string> PartialUrls)
{
    public const string Header = "Upload-Concat";
    public const string Partial = ConcatenationRole.Partial;
    private const string FinalPrefix = ConcatenationRole.FinalPrefix;

    public bool IsFinal => !IsPartial;

    /// <summary>Null when the request has no <c>Upload-Concat</c> (an ordinary upload); a refusal when the value is neither form.</summary>
    public static (TusConcat? Concat, UploadRefusal? Refusal) Parse(string? value)
    {
        if (string.IsNullOrEmpty(value)) return (null, null);
        if (value == Partial) return (new TusConcat(true, []), null);
        if (!value.StartsWith(FinalPrefix, StringComparison.Ordinal))
            return (null, new UploadRefusal(RefusalReason.InvalidRequest,
                "Upload-Concat: expected \"partial\" or \"final;\" and the partial uploads' URLs separated by spaces."));
        var urls = value[FinalPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return urls.Length == 0
            ? (null, new UploadRefusal(RefusalReason.InvalidRequest, "Upload-Concat: final; needs the partial uploads' URLs."))
            : (new TusConcat(false, urls), null);
    }

    /// <summary>Whether a request creates a final upload (a well-formed <c>final;…</c>); the gateway sends those to a node.</summary>
    public static bool IsFinalRequest(HttpRequest request) => Parse(request.Headers[Header]).Concat?.IsFinal == true;
}
