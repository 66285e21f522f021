using Orleans.Concurrency;

namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// One upload's control plane, keyed by an unguessable upload id (see <see cref="UploadIds"/>). It reserves its tier on the
/// budget of the silo it lives on before any byte is accepted, keeps the committed offset (strict: every commit continues
/// where the last ended), completes and releases that lease on every way out. The bytes never pass through it: the
/// node's data plane writes them to the staging file and then commits <c>(offset, length)</c> here.
/// To place it on a chosen silo, call <see cref="Start"/> inside <see cref="UploadPlacementHint.Target"/>.
/// </summary>
public interface IUploadSessionGrain : IGrainWithStringKey
{
    /// <summary>Validates the request, reserves the tiered budget on this silo and returns the session's terms.</summary>
    Task<UploadStartResult> Start(UploadRequest request);

    /// <summary>Authorises <paramref name="resumeToken"/> (constant-time; skipped when <paramref name="requireToken"/> is false,
    /// for the legacy client whose file id is its only secret) and returns the session's status, or the refusal.</summary>
    Task<UploadOpening> Open(string? resumeToken, bool requireToken);

    /// <summary>Node <paramref name="writerNodeId"/>'s data plane is about to write this upload (or to complete it): the fencing
    /// epoch it writes under, the settled status and the committed bytes' parts in the store. The first call on an activation takes a new epoch
    /// (durably, before it answers), so every writer, commit and completion of an earlier activation, on whatever node, is
    /// refused from then on. A parked session resumes here: counted live again and its tier reserved on this node, or refused
    /// (retryable: <see cref="RefusalReason.TooManyUploads"/>, <see cref="RefusalReason.InsufficientHeadroom"/>).
    /// Refused when the session is finished, or active on another node.</summary>
    Task<WritingGrant> BeginWriting(string writerNodeId);

    /// <summary>Every committed part, for the data plane of epoch <paramref name="epoch"/> that completes the upload (or checks bytes
    /// a client sends again) and was granted only the last ones (<see cref="WritingGrant.PartsFrom"/>): read from the session's
    /// sealed pages, which this activation keeps once read. Refused for any epoch but this activation's, for a finished session,
    /// and when a page's record cannot be read (<see cref="RefusalReason.StorageFailure"/>, retryable).</summary>
    Task<CommittedParts> GetParts(int epoch);

    /// <summary>Records that the data plane of node <paramref name="writerNodeId"/>, in epoch <paramref name="epoch"/>, has made
    /// <paramref name="length"/> bytes at <paramref name="offset"/> durable in the store, held as <paramref name="staged"/> says;
    /// the offset must be the committed length. Renews the lease (re-reserving on this silo when it was held elsewhere).
    /// Refused when the writer is not on this session's silo or its epoch is not this activation's.</summary>
    Task<ChunkAck> Commit(int epoch, long offset, long length, string writerNodeId, StagedCommit staged);

    /// <summary>Why the data plane of node <paramref name="writerNodeId"/>, in epoch <paramref name="epoch"/>, may no longer write
    /// to the store for this session (finished, served by another node, superseded by a later epoch), or null while it may.
    /// Asked by a writer that sends bytes to the store before it commits them (a tus body held for its checksum), before each
    /// send: a superseded writer so sends at most one more commit's parts, which a takeover's gap of part numbers leaves free.
    /// Also a writer's check-in (<see cref="WritingGrant.CheckInInterval"/>): while it may write, the session counts it as
    /// activity and renews its lease, so bytes that arrive without a commit (a held body) neither expire nor park it.</summary>
    Task<UploadRefusal?> CheckWriter(int epoch, string writerNodeId);

    /// <summary><see cref="CheckWriter"/> before a send of parts the writer does not record yet (a tus body held for its
    /// checksum, on S3), numbered up to <paramref name="lastPartNumber"/>: while it may write, the session records that number
    /// durably before it answers (<see cref="WritingGrant.SentPartNumber"/>), and every later writer numbers its parts past it,
    /// so a part this writer sends late, after a takeover, never replaces a part another writer records.</summary>
    Task<UploadRefusal?> CheckWriterSending(int epoch, string writerNodeId, int lastPartNumber);

    /// <summary>Verifies length and <paramref name="sha256"/> (of the staged bytes, computed by the data plane of epoch
    /// <paramref name="epoch"/>) against the declared hash, stores the file and releases the lease. Refused for any epoch
    /// but this activation's.</summary>
    Task<CompletionResult> Complete(int epoch, string sha256);

    /// <summary><see cref="Commit"/> of the upload's last bytes and <see cref="Complete"/> in one call, for a data plane that
    /// acknowledges nothing to its client before the upload is stored (one request carries the rest of the file): the commit is
    /// checked as a commit is, and recorded with the completion's one state write. When the completion is refused, the commit is
    /// still recorded (written before the refusal is answered) unless the session failed, so completing again finishes it.</summary>
    Task<CompletionResult> CommitAndComplete(int epoch, long offset, long length, string writerNodeId, StagedCommit staged, string sha256);

    /// <summary>An upload created without its length (tus <c>Upload-Defer-Length</c>) declares it: checked against what was
    /// received, the largest file it may be and its client's day quota; its store space promised; its reservation brought down
    /// to the length's tier. Null when accepted (or the same length was declared already), else the refusal.</summary>
    Task<UploadRefusal?> DeclareLength(long length);

    /// <summary>Deletes staged data and releases the lease. Idempotent.</summary>
    Task Abort();

    /// <summary>Where the upload stands (also what the Orleans dashboard's Grain Details shows for it).</summary>
    Task<UploadStatus> GetState();

    /// <summary>Whether the session no longer holds a live slot of its client: it has ended, is parked (idle past its lease), or
    /// was never started. What its client's count asks of an old session it still counts. It interleaves with a call in progress, so the client's grain, which this session may be waiting on (its
    /// start, its release), can ask without a deadlock; mid-way through its way out it already answers true.</summary>
    [AlwaysInterleave]
    Task<bool> HasEnded();
}
