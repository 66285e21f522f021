using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Uploads;

/// <summary>Carries a typed refusal out of the upload pipeline to the protocol adapter that answers the client.</summary>
public sealed class UploadRefusedException(UploadRefusal refusal) : Exception(refusal.Message)
{
    public UploadRefusal Refusal { get; } = refusal;
}
