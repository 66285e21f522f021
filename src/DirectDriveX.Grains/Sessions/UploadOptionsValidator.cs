using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Sessions;

public sealed class UploadOptionsValidator : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions options) =>
        options.MinChunkBytes > options.MaxChunkBytes
            ? ValidateOptionsResult.Fail($"{UploadOptions.Section}:MinChunkBytes ({options.MinChunkBytes}) exceeds MaxChunkBytes ({options.MaxChunkBytes}).")
            : ValidateOptionsResult.Success;
}
