using System.ComponentModel.DataAnnotations;
using DirectDriveX.Grains.Sessions;
using DirectDriveX.Node.Uploads;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Gateway.Tests.Protocol;

/// <summary><c>Uploads:ResumeWindow</c>, what tus announces as Upload-Expires: 24 h by default, and never longer than the
/// session's record lives (a resume needs it).</summary>
public class ResumeWindowOptionsTests
{
    [Fact]
    public void The_default_is_24_hours_and_valid()
    {
        var options = new UploadOptions();
        Assert.Equal(TimeSpan.FromHours(24), options.ResumeWindow);
        Assert.True(new UploadOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }

    [Fact]
    public void A_window_longer_than_the_session_record_or_under_a_minute_is_refused()
    {
        var longer = new UploadOptions { ResumeWindow = TimeSpan.FromDays(8) };
        var failed = new UploadOptionsValidator().Validate(null, longer);
        Assert.True(failed.Failed);
        Assert.Contains("ResumeWindow", failed.FailureMessage);

        var tiny = new UploadOptions { ResumeWindow = TimeSpan.FromSeconds(5) };
        Assert.False(Validator.TryValidateObject(tiny, new ValidationContext(tiny), null, validateAllProperties: true));
    }
}
