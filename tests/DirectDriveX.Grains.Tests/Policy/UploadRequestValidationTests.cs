using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Sessions;

namespace DirectDriveX.Grains.Tests.Policy;

public class UploadRequestValidationTests
{
    private static readonly UploadOptions Options = new() { MaxFileSizeBytes = 1000 };

    [Theory]
    [InlineData("", 10, null, RefusalReason.InvalidRequest, "fileName")]
    [InlineData("a\u0000b", 10, null, RefusalReason.InvalidRequest, "fileName")]
    [InlineData("a.bin", 0, null, RefusalReason.InvalidRequest, "size")]
    [InlineData("a.bin", -5, null, RefusalReason.InvalidRequest, "size")]
    [InlineData("a.bin", 1001, null, RefusalReason.FileTooLarge, "size")]
    [InlineData("a.bin", 10, "abc", RefusalReason.InvalidRequest, "sha256")]
    public void Refuses_naming_the_field(string name, long size, string? sha, RefusalReason reason, string field)
    {
        var refusal = UploadRequestValidation.Check(new UploadRequest(name, size, null, sha), Options);
        Assert.NotNull(refusal);
        Assert.Equal(reason, refusal.Reason);
        Assert.StartsWith(field + ":", refusal.Message);
    }

    [Fact]
    public void Accepts_a_path_like_name_because_names_are_only_metadata()
    {
        Assert.Null(UploadRequestValidation.Check(new UploadRequest("../../etc/passwd", 1000, "text/plain", new string('a', 64)), Options));
    }
}
