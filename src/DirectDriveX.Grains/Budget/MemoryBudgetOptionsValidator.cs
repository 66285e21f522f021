using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Budget;

/// <summary>Checks what data annotations cannot: positive durations.</summary>
public sealed class MemoryBudgetOptionsValidator : IValidateOptions<MemoryBudgetOptions>
{
    public ValidateOptionsResult Validate(string? name, MemoryBudgetOptions options)
    {
        if (options.LeaseTimeout <= TimeSpan.Zero)
            return ValidateOptionsResult.Fail($"{MemoryBudgetOptions.Section}:LeaseTimeout must be positive.");
        if (options.SweepInterval <= TimeSpan.Zero)
            return ValidateOptionsResult.Fail($"{MemoryBudgetOptions.Section}:SweepInterval must be positive.");
        if (options.SampleInterval <= TimeSpan.Zero || options.SampleInterval > TimeSpan.FromSeconds(10))
            return ValidateOptionsResult.Fail($"{MemoryBudgetOptions.Section}:SampleInterval must be positive and at most 10 s.");
        return ValidateOptionsResult.Success;
    }
}
