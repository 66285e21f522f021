using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>Carries a typed refusal out of the upload lifecycle to the protocol adapter that answers the client.</summary>
public sealed class UploadRefusedException(UploadRefusal refusal) : Exception(refusal.Message)
{
    public UploadRefusal Refusal { get; } = refusal;
}
