using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>Pure checks of what a client declares; the first problem found is the refusal, naming the field.</summary>
public static class UploadRequestValidation
{
    public static UploadRefusal? Check(UploadRequest request, UploadOptions options)
    {
        if (string.IsNullOrWhiteSpace(request.FileName))
            return Invalid("fileName: must not be empty.");
        if (request.FileName.Length > options.MaxFileNameLength)
            return Invalid($"fileName: longer than {options.MaxFileNameLength} characters.");
        if (request.FileName.Any(char.IsControl))
            return Invalid("fileName: must not contain control characters.");
        if (request.Size <= 0)
            return Invalid("size: must be a positive number of bytes.");
        if (request.Size > options.MaxFileSizeBytes)
            return new UploadRefusal(RefusalReason.FileTooLarge,
                $"size: {request.Size} bytes is over the maximum of {options.MaxFileSizeBytes} bytes.");
        if (request.Sha256 is { } sha && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
            return Invalid("sha256: must be 64 hexadecimal characters.");
        if (request.ContentType is { Length: > 255 })
            return Invalid("contentType: longer than 255 characters.");
        return null;
    }

    private static UploadRefusal Invalid(string message) => new(RefusalReason.InvalidRequest, message);
}
