using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Grains.Tests.Policy;

/// <summary>Upload ids: what <see cref="UploadIds.NewId"/> draws is well-formed and unique, and nothing else that a path could be
/// built from is (every store path is built from an id that passed <see cref="UploadIds.IsWellFormed"/>).</summary>
public sealed class UploadIdsTests
{
    [Fact]
    public void Drawn_ids_and_tokens_are_22_url_safe_characters_and_distinct()
    {
        var drawn = Enumerable.Range(0, 2000).SelectMany(_ => new[] { UploadIds.NewId(), UploadIds.NewResumeToken() }).ToArray();

        Assert.All(drawn, id =>
        {
            Assert.Equal(22, id.Length);
            Assert.True(UploadIds.IsWellFormed(id), id);
            Assert.DoesNotContain('=', id);
        });
        Assert.Equal(drawn.Length, drawn.Distinct(StringComparer.Ordinal).Count());
        // 4,000 ids of 128 random bits use the whole alphabet, both URL-safe characters included.
        Assert.Contains(drawn, id => id.Contains('-'));
        Assert.Contains(drawn, id => id.Contains('_'));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA")]       // 21
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")]     // 23
    [InlineData("AAAAAAAAAAAAAAAAAAAA+A")]      // base64's '+', not base64url's
    [InlineData("AAAAAAAAAAAAAAAAAAAA/A")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("../AAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA.A")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAéA")]      // a letter, not an ASCII one
    [InlineData("AAAAAAAAAAAAAAAAAAAA٣A")]      // a digit, not an ASCII one
    [InlineData("AAAAAAAAAAAAAAAAAAAA A")]
    public void Anything_else_is_not_an_id(string? id) => Assert.False(UploadIds.IsWellFormed(id));

    [Fact]
    public void Every_url_safe_character_is_allowed() =>
        Assert.True(UploadIds.IsWellFormed("azAZ09-_azAZ09-_azAZ09"));
}
