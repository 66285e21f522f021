using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Storage.Azure;
using DirectDriveX.Storage.FileSystem;
using DirectDriveX.Storage.S3;

namespace DirectDriveX.Grains.Tests.Policy;

public class GrantedPartsTests
{
    /// <summary><paramref name="count"/> S3 parts of 10 bytes from <paramref name="start"/>, numbered from <paramref name="start"/> / 10 + 1.</summary>
    private static StagedPart[] Numbered(int count, long start = 0) =>
        [.. Enumerable.Range(0, count).Select(i => new StagedPart(start + 10L * i, 10, $"p{start / 10 + i + 1}@1", $"e{i}"))];

    private static StagedPart Piece(long offset, long length = 2) => new(offset, length, "s2", $"staging/x/2.{offset}-{offset + length}");

    private static void Granted(StagedPart[] parts, long from, GrantedParts? granted)
    {
        Assert.NotNull(granted);
        Assert.Equal(parts, granted.Value.Parts);
        Assert.Equal(from, granted.Value.From);
    }

    [Fact]
    public void A_session_without_pages_grants_every_part_so_its_completion_asks_for_none()
    {
        var tail = Numbered(5);
        Granted(tail, 0, GrantedParts.OfTail(tail, tailStart: 0, stagingReadsFrom: -1));
        Granted(tail, 0, GrantedParts.OfTail(tail, tailStart: 0, stagingReadsFrom: 4));
        Granted([], 0, GrantedParts.OfTail([], tailStart: 0, stagingReadsFrom: -1)); // nothing committed yet
    }

    [Fact]
    public void A_session_with_pages_grants_its_tail_when_the_staging_reads_nothing_before_it()
    {
        var tail = Numbered(3, start: 640);
        Granted(tail, 640, GrantedParts.OfTail(tail, tailStart: 640, stagingReadsFrom: 2));
        Granted(tail, 640, GrantedParts.OfTail(tail, tailStart: 640, stagingReadsFrom: 3)); // reads none (Azure)
        Assert.Null(GrantedParts.OfTail(tail, tailStart: 640, stagingReadsFrom: -1)); // reads a sealed part: the pages are read
    }

    [Fact]
    public void Out_of_every_part_a_writer_is_granted_from_the_part_its_staging_reads_or_from_the_tail_whichever_is_first()
    {
        // Parts 0..9 of 10 bytes: the tail begins at 70 (the last three), the staging reads from part 5 (offset 50).
        var parts = Numbered(10);
        Granted(parts[5..], 50, GrantedParts.OfEvery(parts, tailStart: 70, stagingReadsFrom: 5));
        Granted(parts[7..], 70, GrantedParts.OfEvery(parts, tailStart: 70, stagingReadsFrom: 9)); // the tail may be replaced
        Granted(parts, 0, GrantedParts.OfEvery(parts, tailStart: 70, stagingReadsFrom: -1)); // reads a part there is not: all
        Granted(parts, 0, GrantedParts.OfEvery(parts, tailStart: 70, stagingReadsFrom: 0));
        Granted([], 100, GrantedParts.OfEvery(parts, tailStart: 100, stagingReadsFrom: 10)); // an empty tail, nothing read
    }

    [Fact]
    public void Each_store_says_which_of_the_last_parts_its_staging_reads()
    {
        // The file system: the last part (the epoch file a writer of its epoch goes on writing).
        StagedPart[] epochs = [new(0, 100, "1@0"), new(100, 50, "2@100")];
        Assert.Equal(1, FileSystemLocator.FirstPartRead(epochs));
        Assert.Equal(-1, FileSystemLocator.FirstPartRead([]));
        // S3: the last numbered (or whole) part, and the staged pieces of the part being filled after it.
        StagedPart[] filling = [.. Numbered(3), Piece(30), Piece(32)];
        Assert.Equal(2, S3StagingFile.FirstPartRead(filling));
        Assert.Equal(-1, S3StagingFile.FirstPartRead([Piece(30), Piece(32)])); // its numbered part is sealed before them
        Assert.Equal(0, S3StagingFile.FirstPartRead([new StagedPart(0, 30, S3StagingFile.WholeLocator, "etag")]));
        // Azure: none (a writer's block ids are its own).
        Assert.Equal(2, AzureBlobStagingFile.FirstPartRead(Numbered(2)));
    }
}
