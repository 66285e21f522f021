namespace DirectDriveX.Grains.Interfaces;

/// <summary>The final uploads that wait for one tus partial upload (keyed by the partial's id): whoever completes the partial
/// asks which finals to try to concatenate now (concatenation-unfinished). Its record expires like a session's.</summary>
public interface ITusPartialUploadGrain : IGrainWithStringKey
{
    /// <summary>Final upload <paramref name="finalId"/> is made of this partial upload. Idempotent.</summary>
    Task AddFinal(string finalId);

    /// <summary>The final uploads this partial upload is part of.</summary>
    Task<string[]> Finals();
}
