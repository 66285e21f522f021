using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using static DirectDriveX.Grains.Sessions.CommitRules;

namespace DirectDriveX.Grains.Tests.Policy;

public class CommitRulesTests
{
    private const string Id = "u1";

    /// <summary>A session of 1,000 bytes with the first 400 committed in one part of epoch 1.</summary>
    private static readonly UploadSessionState Session = new()
    {
        State = UploadState.Receiving, Size = 1_000, CommittedOffset = 400, Parts = [new StagedPart(0, 400, "1@0")],
    };

    private static StagedCommit InEpoch1(long offset, long length) => new([new StagedPart(offset, length, "1@0")]);

    private static UploadRefusal? Check(UploadSessionState session, long offset, long length, bool here = true, bool current = true) =>
        CommitRefusal(Id, session, here, current, "node-a", offset, length, InEpoch1(offset, length), out _);

    [Fact]
    public void A_commit_that_continues_the_committed_bytes_is_taken_with_the_parts_that_hold_them()
    {
        Assert.Null(CommitRefusal(Id, Session, true, true, "node-a", 400, 600, InEpoch1(400, 600), out var parts));
        Assert.Equal([new StagedPart(0, 1_000, "1@0")], parts);
    }

    [Fact]
    public void A_commit_from_another_node_or_an_earlier_epoch_is_told_to_reconnect()
    {
        Assert.Equal(new UploadRefusal(RefusalReason.NodeUnavailable, "Upload u1 is now served by node node-a; reconnect to continue from 400."),
            Check(Session, 400, 100, here: false));
        Assert.Equal(new UploadRefusal(RefusalReason.NodeUnavailable, "Upload u1 has been taken over by a newer writer; reconnect to continue from 400."),
            Check(Session, 400, 100, current: false));
    }

    [Fact]
    public void A_commit_off_the_committed_offset_past_the_end_or_of_nothing_is_refused()
    {
        Assert.Equal(new UploadRefusal(RefusalReason.OffsetMismatch, "Chunk at offset 300; the upload continues at 400.", ExpectedOffset: 400),
            Check(Session, 300, 100));
        Assert.Equal(new UploadRefusal(RefusalReason.PastDeclaredSize, "Bytes [400, 1001) run past the declared size of 1000 bytes."),
            Check(Session, 400, 601));
        Assert.Equal(new UploadRefusal(RefusalReason.FileTooLarge, "Bytes [400, 1001) run past 1000 bytes, the largest file this upload may become."),
            Check(Session with { LengthDeferred = true }, 400, 601));
        Assert.Equal(new UploadRefusal(RefusalReason.InvalidRequest, "A commit must cover at least one byte."), Check(Session, 400, 0));
    }

    [Fact]
    public void A_commit_whose_parts_would_replace_a_sealed_part_is_refused_and_one_that_continues_the_tail_is_taken()
    {
        var now = new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
        var paged = Session with
        {
            Pages = [new SealedPage(1, 0, 0, 200, 2, now)],
            Parts = [new StagedPart(200, 100, "p3@1", "e3"), new StagedPart(300, 100, "p4@1", "e4")],
        };
        var refusal = CommitRefusal(Id, paged, true, true, "node-a", 400, 100, new StagedCommit([new StagedPart(100, 400, "p2@1", "e2")]), out _);
        Assert.Equal(new UploadRefusal(RefusalReason.InvalidRequest,
            "The store's parts do not fit the commit: The parts added start at 100, before 200: the parts before it are sealed and are not replaced. (Parameter 'added')"), refusal);

        Assert.Null(CommitRefusal(Id, paged, true, true, "node-a", 400, 100, new StagedCommit([new StagedPart(300, 200, "p5@1", "e5")]), out var parts));
        Assert.Equal([new StagedPart(200, 100, "p3@1", "e3"), new StagedPart(300, 200, "p5@1", "e5")], parts);
    }

    [Fact]
    public void A_commit_that_names_another_store_upload_is_refused()
    {
        var refusal = CommitRefusal(Id, Session with { StoreUploadId = "s3-a" }, true, true, "node-a", 400, 100,
            new StagedCommit([new StagedPart(400, 100, "p2@1")], "s3-b"), out _);
        Assert.Equal(new UploadRefusal(RefusalReason.InvalidRequest, "The commit names the store's upload s3-b; the session's is s3-a."), refusal);
    }

    [Fact]
    public void A_completion_needs_its_length_declared_and_every_byte()
    {
        Assert.Equal(new UploadRefusal(RefusalReason.Incomplete, "400 of 1000 bytes received; send the rest from offset 400.", ExpectedOffset: 400),
            IncompleteRefusal(Session));
        Assert.Equal(new UploadRefusal(RefusalReason.Incomplete,
                "400 bytes received and the upload's length is not declared yet: declare it to complete it.", ExpectedOffset: 400),
            IncompleteRefusal(Session with { LengthDeferred = true }));
        Assert.Null(IncompleteRefusal(Session with { CommittedOffset = 1_000 }));
    }

    [Fact]
    public void A_completion_whose_hash_is_not_the_declared_one_is_refused()
    {
        Assert.Equal(new UploadRefusal(RefusalReason.HashMismatch, "SHA-256 of the received bytes is bb; the client declared aa."), HashRefusal("aa", "bb"));
        Assert.Null(HashRefusal("aa", "aa"));
        Assert.Null(HashRefusal(null, "bb"));
    }
}
