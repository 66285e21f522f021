using System.Text.Json;
using DirectDriveX.Grains.Interfaces;
using Microsoft.Net.Http.Headers;

namespace DirectDriveX.Gateway.Protocol;

/// <summary>
/// Reads the body of POST /api/v1/uploads into a <see cref="CreateUploadRequest"/>, or the exact refusal: a body that is not
/// JSON (<c>Content-Type</c> other than <c>application/json</c> or <c>*/*+json</c>) is <c>UnsupportedMediaType</c> (415);
/// malformed JSON, a body that is not an object, or a field of the wrong type is <c>InvalidRequest</c> (400) naming the field.
/// </summary>
public static class CreateUploadRequestReader
{
    /// <summary>Larger bodies are not a request to create an upload.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private const string Shape = "a JSON object {fileName, size, contentType?, sha256?}";

    public static async Task<(CreateUploadRequest? Request, UploadRefusal? Refusal)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
            return (null, new UploadRefusal(RefusalReason.UnsupportedMediaType,
                $"Content-Type: must be application/json (was {(string.IsNullOrEmpty(request.ContentType) ? "absent" : request.ContentType)})."));
        if (request.ContentLength > MaxBodyBytes)
            return (null, Invalid($"body: larger than {MaxBodyBytes} bytes; send {Shape}."));

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, Invalid($"body: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); send {Shape}."));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, Invalid($"body: a JSON {Kind(root.ValueKind)}, not {Shape}."));

            string? fileName = null, contentType = null, sha256 = null;
            long? size = null;
            foreach (var property in root.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name.ToLowerInvariant())
                {
                    case "filename":
                        if (!TryString(value, out fileName)) return (null, Invalid("fileName: must be a string."));
                        break;
                    case "contenttype":
                        if (!TryString(value, out contentType)) return (null, Invalid("contentType: must be a string."));
                        break;
                    case "sha256":
                        if (!TryString(value, out sha256)) return (null, Invalid("sha256: must be a string of 64 hexadecimal characters."));
                        break;
                    case "size":
                        if (value.ValueKind == JsonValueKind.Null) break;
                        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var bytes))
                            return (null, Invalid($"size: must be a whole number of bytes from 0 to {long.MaxValue} (was {Shown(value)})."));
                        size = bytes;
                        break;
                }
            }
            return (new CreateUploadRequest(fileName, size, contentType, sha256), null);
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)) return false;
        var type = media.MediaType.Value ?? "";
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static bool TryString(JsonElement value, out string? text)
    {
        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
    }

    private static string Shown(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static UploadRefusal Invalid(string message) => new(RefusalReason.InvalidRequest, message);
}
