using System.Buffers;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Storage;

namespace DirectDriveX.Node.DataPlane;

/// <summary>Bytes a client sends again below the committed offset (a client that restarts from 0) are compared with what
/// the store holds there, not written: the same bytes are acknowledged again, different ones refused.</summary>
internal static class ReplayedBytes
{
    public enum Match { Same, Different, Unreadable }

    public static async ValueTask<Match> MatchAsync(IUploadStore store, string uploadId, StagedPart[] parts, long offset,
        ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var staged = ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            var read = await store.ReadStagedAsync(uploadId, parts, offset, staged.AsMemory(0, data.Length), cancellationToken);
            if (read != data.Length) return Match.Unreadable;
            return staged.AsSpan(0, read).SequenceEqual(data.Span) ? Match.Same : Match.Different;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(staged);
        }
    }
}
