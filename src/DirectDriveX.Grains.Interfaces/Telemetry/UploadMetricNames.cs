namespace DirectDriveX.Grains.Interfaces.Telemetry;

/// <summary>
/// The meter and instrument names of DirectDriveX, following the OpenTelemetry naming conventions
/// (lower-case, dot-separated namespaces, no unit in the name: the unit is declared on the instrument).
/// The Prometheus exporter turns them into <c>directdrivex_upload_received_bytes_total</c> and so on (see METRICS.md).
/// </summary>
public static class UploadMetricNames
{
    public const string Meter = "DirectDriveX";

    /// <summary>Prefix of the budget gauges a silo adds to Orleans' own meter, the only one the Orleans dashboard's silo
    /// counters show (<c>DashboardBudgetCounters</c>); the hosts' export drops them (<c>directdrivex.memory.*</c> has them).</summary>
    public const string DashboardBudgetPrefix = "directdrivex.budget.";

    public const string BytesReceived = "directdrivex.upload.received";
    public const string UploadsStarted = "directdrivex.upload.started";
    public const string UploadsCompleted = "directdrivex.upload.completed";
    public const string UploadsFailed = "directdrivex.upload.failed";
    public const string UploadsRefused = "directdrivex.upload.refused";
    public const string ActiveSessions = "directdrivex.upload.active_sessions";
    public const string ChunkWriteDuration = "directdrivex.upload.chunk.write.duration";
    public const string NodeHeadroom = "directdrivex.memory.headroom";
    public const string NodeLeased = "directdrivex.memory.leased";
    public const string ChunkBuffersInUse = "directdrivex.chunk_buffer.in_use";

    /// <summary>Tag on <see cref="UploadsRefused"/> and <see cref="UploadsFailed"/>: the <see cref="RefusalReason"/> in snake_case.</summary>
    public const string ReasonTag = "reason";

    /// <summary>Tag on the per-node gauges: the silo's name.</summary>
    public const string NodeTag = "node";
}
