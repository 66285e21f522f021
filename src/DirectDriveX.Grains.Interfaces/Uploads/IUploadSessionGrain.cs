namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// One upload, keyed by an unguessable upload id (see <see cref="UploadIds"/>). It reserves its tier on the
/// budget of the silo it lives on before it accepts any byte, and releases that lease on every way out.
/// To place it on a chosen silo, call <see cref="Start"/> inside <see cref="UploadPlacementHint.Target"/>.
/// </summary>
public interface IUploadSessionGrain : IGrainWithStringKey
{
    /// <summary>Validates the request, reserves the tiered budget on this silo and returns the session's terms.</summary>
    Task<UploadStartResult> Start(UploadRequest request);

    /// <summary>True when <paramref name="resumeToken"/> is this session's token (constant-time comparison).</summary>
    Task<bool> Authorize(string resumeToken);

    /// <summary>Commits <paramref name="data"/> at <paramref name="offset"/>, which must equal the committed length.
    /// A chunk that was already committed with the same bytes is acknowledged again.</summary>
    Task<ChunkAck> WriteChunk(long offset, ReadOnlyMemory<byte> data);

    /// <summary>Verifies length and SHA-256, stores the file and releases the lease.</summary>
    Task<CompletionResult> Complete();

    /// <summary>Deletes staged data and releases the lease. Idempotent.</summary>
    Task Abort();

    Task<UploadStatus> GetStatus();
}
