using System.Globalization;
using System.Text;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage.Objects;

namespace DirectDriveX.Storage.Azure;

/// <summary>
/// One writer's staging in Azure Blob Storage: received bytes wait in the writer's scratch, and each commit stages them as one
/// block of the upload's blob (Put Block), named by epoch and offset (<c>{epoch:D10}-{offset:D20}</c>, base64: every id of a
/// blob has one length), so writers of two epochs never stage the same block id. A commit of the whole file at once is one
/// Put Blob.
/// </summary>
internal sealed class AzureBlobStagingFile(AzureBlobUploadStore store, StagingTarget target) : IStagingFile
{
    public const string WholeLocator = "whole";

    private readonly ScratchFile _scratch = store.Scratch.Open(target.UploadId, target.Epoch, Math.Max(target.ChunkSize, 1024 * 1024));

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _scratch.WriteAsync(offset, data, cancellationToken);

    public bool KeepsBytesUntilCommitted => true;

    public async Task<StagedCommit> CommitAsync(long from, long to, CancellationToken cancellationToken)
    {
        var blob = store.Blob(target.UploadId);
        await using var body = await _scratch.OpenBodyAsync(from, to, cancellationToken);
        StagedPart part;
        if (from == 0 && to == target.Size)
        {
            var uploaded = await AzureBlobUploadStore.Call(() => blob.UploadAsync(body, cancellationToken: cancellationToken));
            part = new StagedPart(0, to, WholeLocator, uploaded.Value.ETag.ToString());
        }
        else
        {
            var id = BlockId(target.Epoch, from);
            await AzureBlobUploadStore.Call(() => blob.StageBlockAsync(id, body, cancellationToken: cancellationToken));
            part = new StagedPart(from, to - from, $"b{target.Epoch}", id);
        }
        _scratch.DropBelow(to);
        return new StagedCommit([part]);
    }

    public ValueTask DisposeAsync()
    {
        _scratch.Dispose();
        return ValueTask.CompletedTask;
    }

    public static string BlockId(int epoch, long offset) => Convert.ToBase64String(Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{epoch:D10}-{offset:D20}")));
}
