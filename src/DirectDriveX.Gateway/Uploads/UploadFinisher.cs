using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Uploads;

/// <summary>Ends an upload whose bytes have all been written: flushes the pipeline and asks the session to verify and store.</summary>
public static class UploadFinisher
{
    public static async Task<StoredFileRecord> FinishAsync(IUploadSessionGrain grain, UploadWriter writer)
    {
        await writer.CompleteAsync();
        var result = await grain.Complete();
        return result.File ?? throw new UploadRefusedException(result.Refusal!);
    }
}
