using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.Uploads;

/// <summary>Pure checks of what a client declares; the first problem found is the refusal, naming the field. The session
/// grain sanitises the file name (<see cref="SanitizeFileName"/>) before checking, so every protocol stores and echoes the
/// same safe name.</summary>
public static class UploadRequestValidation
{
    /// <summary>The longest tus header kept with a session (<see cref="UploadRequest.TusMetadata"/>, <see cref="UploadRequest.TusConcat"/>):
    /// its record is read at every HEAD and written at every commit.</summary>
    public const int MaxTusHeaderLength = 8192;

    /// <summary>The SHA-256 of no bytes: every empty file's.</summary>
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The request with its file name sanitised (<see cref="SanitizeFileName"/>).</summary>
    public static UploadRequest Normalize(UploadRequest request) =>
        request with { FileName = SanitizeFileName(request.FileName) };

    /// <summary>
    /// A file name as it is stored, echoed and sent in Content-Disposition: control characters removed, then only the last
    /// path segment kept (everything up to the last <c>/</c> or <c>\</c> dropped, so <c>../../etc/passwd</c> is
    /// <c>passwd</c> and <c>C:\Users\a\b.txt</c> is <c>b.txt</c>), surrounding white space trimmed. A name left empty,
    /// <c>.</c> or <c>..</c> is refused by <see cref="Check"/>.
    /// </summary>
    public static string SanitizeFileName(string? fileName)
    {
        if (string.IsNullOrEmpty(fileName)) return "";
        var withoutControls = string.Concat(fileName.Where(c => !char.IsControl(c)));
        var lastSeparator = withoutControls.LastIndexOfAny(['/', '\\']);
        return withoutControls[(lastSeparator + 1)..].Trim();
    }

    public static UploadRefusal? Check(UploadRequest request, UploadOptions options)
    {
        if (string.IsNullOrWhiteSpace(request.FileName))
            return Invalid("fileName: must not be empty (after removing any path and control characters).");
        if (request.FileName is "." or "..")
            return Invalid("fileName: must name a file, not a directory.");
        if (request.FileName.Length > options.MaxFileNameLength)
            return Invalid($"fileName: longer than {options.MaxFileNameLength} characters.");
        if (request.FileName.Any(char.IsControl) || request.FileName.IndexOfAny(['/', '\\']) >= 0)
            return Invalid("fileName: must not contain control characters or path separators.");
        if (request.Size < 0)
            return Invalid("size: must be a number of bytes, 0 or more.");
        if (request.DeferLength && (request.Size != 0 || request.Sha256 is not null))
            return Invalid("size: an upload whose length is deferred declares neither a size nor a SHA-256 at creation.");
        if (request.Size > options.MaxFileSizeBytes)
            return new UploadRefusal(RefusalReason.FileTooLarge,
                $"size: {request.Size} bytes is over the maximum of {options.MaxFileSizeBytes} bytes.");
        if (request.Sha256 is { } sha && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
            return Invalid("sha256: must be 64 hexadecimal characters.");
        if (request.Size == 0 && request.Sha256 is { } declared && !declared.Equals(EmptySha256, StringComparison.OrdinalIgnoreCase))
            return new UploadRefusal(RefusalReason.HashMismatch,
                $"sha256: an empty file's SHA-256 is {EmptySha256}; the client declared {declared.ToLowerInvariant()}.");
        if (request.ContentType is { Length: > 255 })
            return Invalid("contentType: longer than 255 characters.");
        if (request.TusMetadata is { Length: > MaxTusHeaderLength })
            return Invalid($"Upload-Metadata: longer than {MaxTusHeaderLength} characters.");
        if (request.TusConcat is { Length: > MaxTusHeaderLength })
            return Invalid($"Upload-Concat: longer than {MaxTusHeaderLength} characters.");
        return null;
    }

    private static UploadRefusal Invalid(string message) => new(RefusalReason.InvalidRequest, message);
}
