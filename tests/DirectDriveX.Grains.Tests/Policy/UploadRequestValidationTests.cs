using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Node.Uploads;

namespace DirectDriveX.Grains.Tests.Policy;

public class UploadRequestValidationTests
{
    private static readonly UploadOptions Options = new() { MaxFileSizeBytes = 1000 };

    [Theory]
    [InlineData("", 10, null, RefusalReason.InvalidRequest, "fileName")]
    [InlineData("a/b", 10, null, RefusalReason.InvalidRequest, "fileName")]
    [InlineData("..", 10, null, RefusalReason.InvalidRequest, "fileName")]
    [InlineData("a.bin", -5, null, RefusalReason.InvalidRequest, "size")]
    [InlineData("a.bin", 1001, null, RefusalReason.FileTooLarge, "size")]
    [InlineData("a.bin", 10, "abc", RefusalReason.InvalidRequest, "sha256")]
    [InlineData("a.bin", 0, "0000000000000000000000000000000000000000000000000000000000000000", RefusalReason.HashMismatch, "sha256")]
    public void Refuses_naming_the_field(string name, long size, string? sha, RefusalReason reason, string field)
    {
        var refusal = UploadRequestValidation.Check(new UploadRequest(name, size, null, sha), Options);
        Assert.NotNull(refusal);
        Assert.Equal(reason, refusal.Reason);
        Assert.StartsWith(field + ":", refusal.Message);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("..\\..\\windows\\win.ini", "win.ini")]
    [InlineData("C:\\Users\\a\\report 2024.pdf", "report 2024.pdf")]
    [InlineData("a\u0000b\r\n.txt", "ab.txt")]
    [InlineData("  résumé.pdf ", "résumé.pdf")]
    [InlineData("x/\u0007", "")]
    public void A_file_name_keeps_its_last_path_segment_without_control_characters(string name, string stored)
    {
        Assert.Equal(stored, UploadRequestValidation.SanitizeFileName(name));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("a\u0000b")]
    public void A_path_like_or_control_laden_name_is_accepted_once_sanitised(string name)
    {
        Assert.Null(UploadRequestValidation.Check(UploadRequestValidation.Normalize(new UploadRequest(name, 1000, "text/plain", new string('a', 64))), Options));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("\u0000")]
    [InlineData("dir/..")]
    public void A_name_with_nothing_left_after_sanitising_is_refused(string name)
    {
        var refusal = UploadRequestValidation.Check(UploadRequestValidation.Normalize(new UploadRequest(name, 10, null, null)), Options);
        Assert.Equal(RefusalReason.InvalidRequest, refusal?.Reason);
        Assert.StartsWith("fileName:", refusal!.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(UploadRequestValidation.EmptySha256)]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    public void An_empty_file_is_valid_with_no_hash_or_the_hash_of_nothing(string? sha256) =>
        Assert.Null(UploadRequestValidation.Check(new UploadRequest("empty.txt", 0, null, sha256), Options));

    [Fact]
    public void The_hash_of_nothing_is_the_SHA_256_of_no_bytes() =>
        Assert.Equal(UploadRequestValidation.EmptySha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([])));
}
