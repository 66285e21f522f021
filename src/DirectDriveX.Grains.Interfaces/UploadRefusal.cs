namespace DirectDriveX.Grains.Interfaces;

/// <summary>A typed refusal: the reason, a sentence for people, and the figures a client can act on.</summary>
[GenerateSerializer, Immutable]
public sealed record UploadRefusal(
    [property: Id(0)] RefusalReason Reason,
    [property: Id(1)] string Message,
    [property: Id(2)] long? ExpectedOffset = null,
    [property: Id(3)] BudgetFigures? Figures = null,
    [property: Id(4)] ClientQuotaFigures? Quota = null)
{
    public static UploadRefusal Of(RefusalReason reason, string message) => new(reason, message);
}
