namespace DirectDriveX.Grains.Interfaces.Telemetry;

/// <summary>The value of the <c>reason</c> tag for a <see cref="RefusalReason"/>: stable snake_case, independent of enum renames.</summary>
public static class RefusalReasonTag
{
    public static string Of(RefusalReason reason) => reason switch
    {
        RefusalReason.InsufficientHeadroom => "insufficient_headroom",
        RefusalReason.FileTooLarge => "file_too_large",
        RefusalReason.InvalidRequest => "invalid_request",
        RefusalReason.OffsetMismatch => "offset_mismatch",
        RefusalReason.ChunkTooLarge => "chunk_too_large",
        RefusalReason.BuffersExhausted => "buffers_exhausted",
        RefusalReason.NotFound => "not_found",
        RefusalReason.InvalidState => "invalid_state",
        RefusalReason.Incomplete => "incomplete",
        RefusalReason.HashMismatch => "hash_mismatch",
        RefusalReason.Expired => "expired",
        RefusalReason.Aborted => "aborted",
        RefusalReason.StorageFailure => "storage_failure",
        RefusalReason.Unauthorized => "unauthorized",
        RefusalReason.NodeUnavailable => "node_unavailable",
        RefusalReason.UnsupportedMediaType => "unsupported_media_type",
        RefusalReason.InsufficientStorage => "insufficient_storage",
        RefusalReason.TooManyUploads => "too_many_uploads",
        RefusalReason.QuotaExceeded => "quota_exceeded",
        RefusalReason.Unauthenticated => "unauthenticated",
        RefusalReason.ReadOnly => "read_only",
        RefusalReason.PastDeclaredSize => "past_declared_size",
        RefusalReason.ServerFault => "server_fault",
        _ => "other",
    };
}
