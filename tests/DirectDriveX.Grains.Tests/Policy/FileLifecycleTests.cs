using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Policy;

public class FileLifecycleTests
{
    private static readonly (string Token, string Sha256) Issued = FileLifecycle.NewDeleteToken();

    private static StoredFileRecord Record(string? uploadedBy, string? tokenSha256 = null) =>
        new("Pf9FbCY8V06vNNSbfgt_Ew", "a.bin", 1, new string('a', 64), "application/octet-stream", DateTimeOffset.UnixEpoch, "n", uploadedBy, tokenSha256);

    [Theory]
    [InlineData("addr:203.0.113.7", true)]
    [InlineData("key:ci", false)]
    [InlineData(null, false)]
    public void Only_a_client_without_an_API_key_is_given_a_delete_token(string? clientId, bool gets) =>
        Assert.Equal(gets, FileLifecycle.GetsDeleteToken(clientId));

    [Fact]
    public void A_new_delete_token_is_unguessable_and_only_its_SHA_256_is_kept()
    {
        var (token, sha) = FileLifecycle.NewDeleteToken();
        Assert.Equal(22, token.Length);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), sha);
        Assert.NotEqual(token, FileLifecycle.NewDeleteToken().Token);
    }

    [Fact]
    public void The_uploaders_API_key_or_its_delete_token_authorises_a_delete()
    {
        Assert.Null(FileLifecycle.AuthorizeDelete(Record("key:ci"), "key:ci", null));
        Assert.Null(FileLifecycle.AuthorizeDelete(Record("addr:203.0.113.7", Issued.Sha256), null, Issued.Token));
        Assert.Null(FileLifecycle.AuthorizeDelete(Record("addr:203.0.113.7", Issued.Sha256), "key:other", Issued.Token)); // the token suffices
    }

    [Fact]
    public void Nothing_presented_is_401_and_what_is_not_the_uploaders_is_403()
    {
        Assert.Equal(RefusalReason.Unauthenticated, FileLifecycle.AuthorizeDelete(Record("key:ci"), null, null)!.Reason);
        Assert.Equal(RefusalReason.Unauthenticated, FileLifecycle.AuthorizeDelete(Record("addr:203.0.113.7", Issued.Sha256), null, "")!.Reason);
        Assert.Equal(RefusalReason.Unauthorized, FileLifecycle.AuthorizeDelete(Record("key:ci"), "key:bulk", null)!.Reason);
        Assert.Equal(RefusalReason.Unauthorized, FileLifecycle.AuthorizeDelete(Record("addr:203.0.113.7", Issued.Sha256), null, FileLifecycle.NewDeleteToken().Token)!.Reason);
        // An address never authorises: many clients share one.
        Assert.Equal(RefusalReason.Unauthorized, FileLifecycle.AuthorizeDelete(Record("addr:203.0.113.7"), "addr:203.0.113.7", null)!.Reason);
        // A file uploaded from inside the cluster (no client, no token) is nobody's to delete over the API.
        Assert.Equal(RefusalReason.Unauthorized, FileLifecycle.AuthorizeDelete(Record(null), "key:ci", "x")!.Reason);
    }

    [Fact]
    public void A_file_expires_at_its_retention_after_creation_and_never_without_one()
    {
        var created = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        Assert.False(FileLifecycle.IsExpired(created, null, created.AddYears(100)));
        Assert.False(FileLifecycle.IsExpired(created, TimeSpan.FromDays(30), created.AddDays(30).AddTicks(-1)));
        Assert.True(FileLifecycle.IsExpired(created, TimeSpan.FromDays(30), created.AddDays(30)));
    }
}
