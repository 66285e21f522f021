using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Interfaces;

public sealed class UploadOptionsValidator : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions options)
    {
        if (options.MinChunkBytes > options.MaxChunkBytes)
            return ValidateOptionsResult.Fail($"{UploadOptions.Section}:MinChunkBytes ({options.MinChunkBytes}) exceeds MaxChunkBytes ({options.MaxChunkBytes}).");
        // A resume needs the session's record: an upload resumable for longer than its record lives would be NotFound first.
        if (options.ResumeWindow > options.SessionRecordLifetime)
            return ValidateOptionsResult.Fail($"{UploadOptions.Section}:ResumeWindow ({options.ResumeWindow}) exceeds SessionRecordLifetime ({options.SessionRecordLifetime}).");
        return ValidateOptionsResult.Success;
    }
}
