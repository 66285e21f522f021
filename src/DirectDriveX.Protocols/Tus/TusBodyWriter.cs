using System.Globalization;
using DirectDriveX.Node.DataPlane;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Node.Uploads;
using Microsoft.Extensions.Options;
using DirectDriveX.Http.Tus;

namespace DirectDriveX.Protocols.Tus;

/// <summary>A tus request's body (PATCH, creation-with-upload) into its upload through this node's data plane, and the
/// Upload-Expires of the answer.</summary>
internal static class TusBodyWriter
{
    /// <summary>Upload-Expires after a request's bytes: from now when it committed some, else from the upload's last commit.</summary>
    public static void SetExpiresAfterWrite(HttpContext context, UploadStatus before, long offset)
    {
        var status = offset == before.Size ? before with { State = UploadState.Completed }
            : offset > before.CommittedOffset ? before with { State = UploadState.Receiving, CommittedOffset = offset, LastActivityAt = DateTimeOffset.UtcNow }
            : before;
        TusProtocol.SetExpires(context.Response, status, context.RequestServices.GetRequiredService<IOptions<UploadOptions>>().Value);
    }

    /// <summary>
    /// Streams a request body into the upload at <paramref name="clientOffset"/>. Under <c>Upload-Checksum</c>, as a header or as
    /// an announced trailer (<see cref="TusBodyChecksum"/>), the writer holds its commits: the bytes go to the staging file as
    /// they arrive (one pooled buffer, whatever the body's length), and only when the whole body passes the check are they
    /// committed; otherwise none of them is (460, or 400 for a trailer that is missing or names an unsupported algorithm).
    /// Without a checksum, what arrived before a dropped connection is committed, so the client resumes from there. Offset -1:
    /// the client went away.
    /// </summary>
    public static async Task<(long Offset, UploadRefusal? Refusal)> WriteBodyAsync(HttpContext context, UploadSessionHandle session, long clientOffset,
        UploadConnections.Connection connection)
    {
        if (connection.Notice is { } early)
        {
            await context.RequestServices.GetRequiredService<UploadConnections>().LetGoAsync(connection);
            return (-1, early.Refusal(session.Status.CommittedOffset));
        }
        var (check, malformed) = TusBodyChecksum.For(context.Request, trustUpstream: true);
        if (malformed is not null) return (-1, malformed);
        using var _check = check;
        StagingWriter writer;
        try
        {
            writer = check is null ? await session.OpenWriterAsync(onCommitted: null) : await session.OpenHeldWriterAsync();
        }
        catch (UploadRefusedException e)
        {
            return (-1, e.Refusal);
        }
        await using var _ = writer;
        if (clientOffset != writer.CommittedOffset)
            return (-1, new UploadRefusal(RefusalReason.OffsetMismatch,
                $"Upload-Offset {clientOffset}; the upload continues at {writer.CommittedOffset}.", ExpectedOffset: writer.CommittedOffset));

        var size = session.Status.Size;
        var body = check?.Wrap(context.Request.Body) ?? context.Request.Body;
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, connection.ReconnectRequested);
        try
        {
            await writer.CopyFromAsync(body, size - writer.CommittedOffset, reading.Token);
            if (check?.Verify(context.Request) is { } failed)
            {
                await writer.DiscardAsync();
                return (-1, failed with
                {
                    Message = $"{failed.Message} Nothing of the body was kept; the upload continues at {writer.CommittedOffset}.",
                    ExpectedOffset = writer.CommittedOffset,
                });
            }
            if (writer.ReceivedOffset < size) return (await writer.CompleteAsync(), null);
            var stored = await session.CompleteAsync(writer, context.RequestAborted);
            return (stored.File.Size, null);
        }
        catch (UploadRefusedException e)
        {
            if (check is not null) await writer.DiscardAsync();
            return (-1, e.Refusal);
        }
        catch (OperationCanceledException) when (connection.Notice is { } notice && !context.RequestAborted.IsCancellationRequested)
        {
            // The node or gateway is leaving: what arrived is committed (none of it under a checksum, which covers the whole
            // body), and the 503 says where the upload stands; the client's HEAD finds it on its next node.
            var committed = await writer.KeepWhatArrivedAsync();
            context.Response.Headers.Connection = "close";
            context.Response.Headers["Upload-Offset"] = committed.ToString(CultureInfo.InvariantCulture);
            return (-1, notice.Refusal(committed));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            await writer.KeepWhatArrivedAsync();
            return (-1, null);
        }
    }}
