using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Node.DataPlane;

namespace DirectDriveX.Grains.Tests.DataPlane;

/// <summary>The words a writer stops with: which refusal, which offset a client resumes from.</summary>
public class WriterRefusalsTests
{
    [Fact]
    public void A_full_disk_keeps_the_committed_bytes_resumable_and_any_other_io_error_is_a_storage_failure()
    {
        Assert.Equal(new UploadRefusal(RefusalReason.InsufficientStorage,
                "The file store is full; the upload keeps its 4096 committed bytes: resume from there when space returns.", ExpectedOffset: 4096),
            WriterRefusals.Storage(new IOException("No space left on device", 28), 4096, "unused"));
        Assert.Equal(new UploadRefusal(RefusalReason.StorageFailure, "This node could not write the upload's bytes: EIO"),
            WriterRefusals.Storage(new IOException("EIO", 5), 4096, "This node could not write the upload's bytes: EIO"));
    }

    [Fact]
    public void Bytes_past_the_end_are_past_the_declared_size_or_past_the_largest_an_undeclared_length_may_become()
    {
        Assert.Equal(PastDeclaredSize.Refusal(100), WriterRefusals.PastTheEnd(100, sizeIsLimit: false));
        Assert.Equal(new UploadRefusal(RefusalReason.FileTooLarge,
                "The data runs past 100 bytes, the largest file this upload may become; its length was never declared."),
            WriterRefusals.PastTheEnd(100, sizeIsLimit: true));
    }

    [Fact]
    public void Bytes_sent_again_that_differ_or_cannot_be_compared_are_an_offset_mismatch_at_the_committed_offset()
    {
        Assert.Equal(new UploadRefusal(RefusalReason.OffsetMismatch,
                "The bytes at offset 10 differ from the ones already committed there; the upload continues at 64.", ExpectedOffset: 64),
            WriterRefusals.Replayed(ReplayedBytes.Match.Different, 10, 64));
        Assert.Equal(new UploadRefusal(RefusalReason.OffsetMismatch,
                "The bytes at offset 10 are already committed, and the store cannot read them back to compare; the upload continues at 64.", ExpectedOffset: 64),
            WriterRefusals.Replayed(ReplayedBytes.Match.Unreadable, 10, 64));
    }
}
