using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace DirectDriveX.Grains.Sessions;

/// <summary>What a session logs.</summary>
public sealed partial class UploadSessionGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} started on node {NodeName}: {Size} bytes, {ReservedBytes} reserved, {HeadroomLeftBytes} bytes of headroom left, chunks of {ChunkSize}, client {ClientId}")]
    private partial void LogStarted(string uploadId, string nodeName, long size, long reservedBytes, long headroomLeftBytes, int chunkSize, string clientId);

    /// <summary>The start of an upload whose bytes come with its create (one request): its completion's line, or the line of
    /// its other way out, follows within that request, so the start is a Debug line (issue 19, sixth round: the two lines
    /// per small upload were 1.5% of the embedded process's CPU at 4 KiB, 16 at once).</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Upload {UploadId} started with its bytes on node {NodeName}: {Size} bytes, {ReservedBytes} reserved, {HeadroomLeftBytes} bytes of headroom left, chunks of {ChunkSize}, client {ClientId}")]
    private partial void LogStartedWithBytes(string uploadId, string nodeName, long size, long reservedBytes, long headroomLeftBytes, int chunkSize, string clientId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Upload {UploadId} on node {NodeName}: {Length} bytes at {Offset} committed in epoch {Epoch}")]
    private partial void LogCommitted(string uploadId, string nodeName, int epoch, long offset, long length);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} completed: {Size} bytes in {Seconds:F1} s ({MegabytesPerSecond:F1} MB/s since it was created), sha256 {Sha256}")]
    private partial void LogCompleted(string uploadId, string nodeName, long size, double seconds, double megabytesPerSecond, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId}: the node {NodeId} of its old lease is gone ({Detail})")]
    private partial void LogLeaseNodeGone(string uploadId, string nodeId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} could not release its count on client {ClientId} ({Detail}); the client's grain corrects it at its limit")]
    private partial void LogClientReleaseFailed(string uploadId, string clientId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId}: client {ClientId} had lost its count before writing it (its node went); counted again: {Outcome}")]
    private partial void LogAdmissionCountedAgain(string uploadId, string clientId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} could not confirm its count on client {ClientId} ({Detail}); should that grain have lost it, the client is counted one upload short until this one ends")]
    private partial void LogAdmissionUnconfirmed(string uploadId, string clientId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId}: what it held was not all given back behind its answer ({Detail}); its lease times out, its staging is swept, and a store-space promise left over errs on the safe side")]
    private partial void LogReleaseBehindFailed(string uploadId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId}: its staged bytes could not be deleted now ({Detail}); the staging sweep removes them")]
    private partial void LogStagingLeft(string uploadId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId}: the record of sealed parts {StateName} could not be written now ({Detail}); written at a later commit")]
    private partial void LogPageNotWritten(string uploadId, string stateName, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId}: the record of sealed parts {StateName} could not be deleted now ({Detail}); it expires with the session's record lifetime")]
    private partial void LogPageNotCleared(string uploadId, string stateName, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} aborted at {Committed} bytes")]
    private partial void LogAborted(string uploadId, string nodeName, long committed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} parked at {Committed} bytes: its lease is given back; resumable until {ResumableUntil:u}")]
    private partial void LogParked(string uploadId, string nodeName, long committed, DateTimeOffset resumableUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} on node {NodeName} declared its length: {Length} bytes; its reservation goes from {ReservedBefore} to {ReservedBytes}")]
    private partial void LogDeclared(string uploadId, string nodeName, long length, long reservedBefore, long reservedBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} resumed on node {NodeName} at {Committed} bytes, {ReservedBytes} reserved again")]
    private partial void LogResumed(string uploadId, string nodeName, long committed, long reservedBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} on node {NodeName} expired at {Committed} bytes")]
    private partial void LogExpired(string uploadId, string nodeName, long committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} on node {NodeName} failed: {Reason} {Detail}")]
    private partial void LogFailed(string uploadId, string nodeName, RefusalReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId}: the store could not be asked for its file's record now ({Detail}); the upload is unknown to this call")]
    private partial void LogStoreRecordUnreadable(string uploadId, string detail);
}
