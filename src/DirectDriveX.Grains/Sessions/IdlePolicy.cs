using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Sessions;

/// <summary>What a session that has been idle does next, pure. Memory and the right to resume are two clocks: an upload that
/// has not had its first byte ends at the first-byte deadline (<c>Uploads:FirstByteTimeout</c>), so creates that never send
/// hold no lease and no client slot for long; one with committed bytes gives its memory lease back after the lease timeout
/// (<c>MemoryBudget:LeaseTimeout</c>) and is parked, keeping its bytes, until the resume window (<c>Uploads:ResumeWindow</c>)
/// after its last commit has passed; only then does it expire and lose them.</summary>
public static class IdlePolicy
{
    public enum Step { None, Park, Expire }

    /// <param name="idle">How long since the session's last activity (its last commit, or a writer connecting).</param>
    public static Step Next(UploadState state, TimeSpan idle, TimeSpan firstByteTimeout, TimeSpan leaseTimeout, TimeSpan resumeWindow) => state switch
    {
        UploadState.Created or UploadState.Reserved => idle >= firstByteTimeout ? Step.Expire : Step.None,
        UploadState.Receiving => idle >= resumeWindow ? Step.Expire : idle >= leaseTimeout ? Step.Park : Step.None,
        UploadState.Parked => idle >= resumeWindow ? Step.Expire : Step.None,
        _ => Step.None,
    };

    /// <summary>How often a writer receiving bytes it has not committed yet (a body held for its checksum, a chunk that fills
    /// slowly, a small file committed only at its end) tells the session it is still receiving
    /// (<see cref="IUploadSessionGrain.CheckWriter"/>): a third of the shorter deadline, so bytes that keep coming never let an
    /// upload expire at its first-byte deadline or park at its lease timeout, even when a check-in is late by one interval.</summary>
    public static TimeSpan CheckInInterval(TimeSpan firstByteTimeout, TimeSpan leaseTimeout) =>
        TimeSpan.FromTicks(Math.Min(firstByteTimeout.Ticks, leaseTimeout.Ticks) / 3);

    /// <summary>What a client is told about an upload that expired: one that never had a byte expired without data; one with
    /// committed bytes went unresumed for its whole resume window, and its bytes are gone.</summary>
    public static UploadRefusal Expired(string uploadId, long committed, TimeSpan resumeWindow) => committed == 0
        ? new UploadRefusal(RefusalReason.Expired, $"Upload {uploadId} expired without data; start a new upload.")
        : new UploadRefusal(RefusalReason.Expired,
            $"Upload {uploadId} expired: it was not resumed within {resumeWindow} of its last commit, and its {committed} committed bytes were deleted; start a new upload.");
}
