using System.Globalization;
using System.Text;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage.Objects;

namespace DirectDriveX.Storage.Azure;

/// <summary>
/// One writer's staging in Azure Blob Storage: received bytes wait in the writer's scratch, and each commit stages them as one
/// block of the upload's blob (Put Block), named by epoch, writer and offset (<c>{epoch:D6}{writer:x4}-{offset:D20}</c>,
/// base64: every id of a blob has one length, the length ids had when they named the epoch in ten digits, so an upload staged
/// before goes on), so two writers never stage the same block id: not those of two epochs, nor two of one epoch on one node
/// (a connection that took over while the one before had a block on its way past the takeover's drain: that late block,
/// with whatever bytes it read, is one the session never records); a commit that spans several windows of the scratch
/// (chunks) is one block per window. A file committed at once is one Put Blob.
/// </summary>
internal sealed class AzureBlobStagingFile(AzureBlobUploadStore store, StagingTarget target) : IStagingFile
{
    public const string WholeLocator = "whole";

    private readonly int _writer = store.NextWriter();
    private readonly ScratchFile _scratch = store.Scratch.Open(target.UploadId, target.Epoch, Math.Max(target.ChunkSize, 1024 * 1024));

    /// <summary>Where the parts a writer reads begin in <paramref name="parts"/>: past them all. It reads none: its block ids are
    /// its own (epoch, writer, offset), whatever was staged before.</summary>
    public static int FirstPartRead(IReadOnlyList<StagedPart> parts) => parts.Count;

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _scratch.WriteAsync(offset, data, cancellationToken);

    public bool KeepsBytesUntilCommitted => true;

    public ValueTask DiscardAsync(long offset, CancellationToken cancellationToken)
    {
        _scratch.DropFrom(offset);
        return ValueTask.CompletedTask;
    }

    /// <summary>Blocks of one blob are independent until the block list is committed: a writer may send the next block while
    /// the one before is still being stored.</summary>
    public bool CommitsConcurrently => true;

    public async Task<StagedCommit> CommitAsync(long from, long to, CancellationToken cancellationToken)
    {
        var blob = store.Blob(target.UploadId);
        if (from == 0 && to == target.Size)
        {
            await using var whole = await _scratch.OpenBodyAsync(from, to, cancellationToken);
            var uploaded = await AzureBlobUploadStore.Call(() => blob.UploadAsync(whole, cancellationToken: cancellationToken));
            _scratch.DropBelow(to);
            return new StagedCommit([new StagedPart(0, to, WholeLocator, uploaded.Value.ETag.ToString())]);
        }
        // One block per scratch window the range touches (a chunk), however many chunks one commit covers (a tus body held for
        // its checksum). The SDK reads a block's body once, 80 KiB at a time: it is read from the scratch as it goes, with
        // no body buffer (two blocks in flight held two chunk-sized buffers, 16 MiB of a node's memory its leases did not
        // count). The whole range is held from the start (before the first await: commits start in order), so a later commit
        // in flight beside this one, which completes a window this one shares, leaves it until this one has sent its part.
        using var held = _scratch.HoldRange(from, to);
        var parts = new List<StagedPart>();
        for (var start = from; start < to;)
        {
            var end = Math.Min(to, (start / _scratch.WindowSize + 1) * _scratch.WindowSize);
            var id = BlockId(target.Epoch, _writer, start);
            await using (var body = _scratch.OpenStreamingBody(start, end))
                await AzureBlobUploadStore.Call(() => blob.StageBlockAsync(id, body, cancellationToken: cancellationToken));
            parts.Add(new StagedPart(start, end - start, $"b{target.Epoch}", id));
            held.ReleaseTo(end);
            _scratch.DropCommitted(start, end);
            start = end;
        }
        return new StagedCommit([.. parts]);
    }

    public ValueTask DisposeAsync()
    {
        _scratch.Dispose();
        return ValueTask.CompletedTask;
    }

    public static string BlockId(int epoch, int writer, long offset) => Convert.ToBase64String(Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{epoch % 1_000_000:D6}{writer:x4}-{offset:D20}")));
}
