using System.Security.Cryptography;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;

namespace DirectDriveX.Grains.Tests.Policy;

public class CompletedSessionTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);
    private static readonly byte[] TokenHash = SHA256.HashData("token"u8);

    private static StoredFileRecord Record(string? tokenSha256) => new("AAAAAAAAAAAAAAAAAAAAAA", "a.bin", 4096, "ab12", "text/plain", Created,
        "silo-1", "addr:127.0.0.1", null, "filename YS5iaW4=", tokenSha256);

    [Fact]
    public void A_stored_record_answers_for_its_session_as_Completed_with_what_status_and_resume_calls_ask()
    {
        var session = CompletedSession.Of(Record(Convert.ToHexStringLower(TokenHash)), Created.AddDays(1), Lifetime)!;

        Assert.Equal((UploadState.Completed, "a.bin", 4096L, 4096L, "text/plain", "addr:127.0.0.1", "filename YS5iaW4=", Created),
            (session.State, session.FileName, session.Size, session.CommittedOffset, session.ContentType, session.ClientId, session.TusMetadata,
                session.LastActivityAt));
        Assert.Equal(TokenHash, session.ResumeTokenHash);
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAA", session.File!.FileId);
        Assert.Null(session.Failure);
        Assert.Equal("", session.NodeId); // holds no lease
    }

    [Fact]
    public void A_record_answers_for_its_session_only_as_long_as_a_session_record_would_live()
    {
        var record = Record(Convert.ToHexStringLower(TokenHash));
        Assert.NotNull(CompletedSession.Of(record, Created + Lifetime - TimeSpan.FromSeconds(1), Lifetime));
        Assert.Null(CompletedSession.Of(record, Created + Lifetime, Lifetime));
    }

    [Fact]
    public void A_record_written_before_it_kept_the_resume_token_answers_for_no_session()
    {
        Assert.Null(CompletedSession.Of(Record(null), Created, Lifetime));
    }

    [Theory]
    [InlineData(true, UploadState.Completed, null, true)]
    [InlineData(false, UploadState.Completed, null, false)] // recorded already: its record is ended as any other
    [InlineData(true, UploadState.Failed, null, false)]
    [InlineData(true, UploadState.Aborted, null, false)]
    [InlineData(true, UploadState.Completed, "partial", false)] // a final upload's concatenation reads its partials' sessions
    public void Only_a_completion_never_recorded_and_no_tus_partial_leaves_its_record_to_the_store(bool startUnwritten, UploadState state,
        string? tusConcat, bool expected)
    {
        var final = new UploadSessionState { State = state, TusConcat = tusConcat };
        Assert.Equal(expected, CompletedSession.RecordedByStore(final, startUnwritten));
    }
}
