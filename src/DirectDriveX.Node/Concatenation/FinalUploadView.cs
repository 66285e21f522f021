using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.Concatenation;

/// <summary>What a client is told about a final upload created before its partial uploads were complete
/// (<see cref="UploadConcatenation.ViewFinalAsync"/>): the refusal when it cannot be read or has ended, else its record, its
/// length once every partial upload's is known, and its offset once it is concatenated (equal to the length).</summary>
public sealed record FinalUploadView(TusFinalUpload? Final, UploadRefusal? Refusal, long? Length, long? Offset)
{
    public static FinalUploadView Refused(UploadRefusal refusal) => new(null, refusal, null, null);
}
