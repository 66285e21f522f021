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
        return ValidateOptionsResult.Success;
    }
}
