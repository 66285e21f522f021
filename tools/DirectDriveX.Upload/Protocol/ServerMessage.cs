using System.Text.Json;

namespace DirectDriveX.Upload.Protocol;

/// <summary>
/// One JSON text message from the gateway on the upload WebSocket: <c>ack</c> (committed offset), <c>complete</c>
/// (file id and SHA-256), <c>error</c> (reason and message), or anything else that may carry the offset to resume from.
/// </summary>
internal sealed record ServerMessage(string Type, long? Offset, string? FileId, string? Sha256, string? Reason, string? Message, string Text)
{
    public bool IsAck => Type == "ack";
    public bool IsComplete => Type == "complete";
    public bool IsError => Type == "error";

    /// <summary>The node or gateway is leaving (close 1012 / 1001 follows): reconnect, through the next gateway.</summary>
    public bool IsReconnect => Type == "reconnect";

    public static ServerMessage Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        return new ServerMessage(
            String(root, "type") ?? "",
            Number(root, "offset") ?? Number(root, "committedOffset"),
            String(root, "fileId"),
            String(root, "sha256"),
            String(root, "reason") ?? String(root, "code"),
            String(root, "message") ?? String(root, "detail") ?? String(root, "error"),
            text);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}
