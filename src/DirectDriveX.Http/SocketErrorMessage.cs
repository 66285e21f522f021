using System.Text.Json.Serialization;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Http;

/// <summary>
/// The one WebSocket error message, for both socket protocols: <c>reason</c> (a <see cref="RefusalReason"/>), <c>message</c>,
/// <c>value</c> (the same text, where the reference design's client reads it), <c>retryable</c>, and what the refusal carries
/// (<c>expectedOffset</c>, <c>figures</c>, <c>quota</c>).
/// </summary>
public sealed record SocketErrorMessage(
    string Reason, string Message, string Value, bool Retryable, long? ExpectedOffset, BudgetFigures? Figures, ClientQuotaFigures? Quota)
{
    [JsonPropertyOrder(-1)]
    public string Type => "error";

    public static SocketErrorMessage For(UploadRefusal refusal) => new(
        refusal.Reason.ToString(), refusal.Message, refusal.Message, RefusalMapping.IsRetryable(refusal.Reason),
        refusal.ExpectedOffset, refusal.Figures, refusal.Quota);
}
