using System.ComponentModel.DataAnnotations;

namespace DirectDriveX.Http.Clients;

/// <summary>Configuration section <c>Auth</c>: the mode and the API keys with their limits.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    public AuthMode Mode { get; set; } = AuthMode.None;

    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == AuthMode.ApiKey && ApiKeys.Count == 0)
            yield return new ValidationResult("Auth:Mode=ApiKey needs at least one entry in Auth:ApiKeys.", [nameof(ApiKeys)]);
        foreach (var (key, i) in ApiKeys.Select((k, i) => (k, i)))
            foreach (var error in ValidationOf(key))
                yield return new ValidationResult($"Auth:ApiKeys:{i}: {error.ErrorMessage}", error.MemberNames);
        foreach (var name in ApiKeys.GroupBy(k => k.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return new ValidationResult($"Auth:ApiKeys: the name {name} is used more than once.", [nameof(ApiKeys)]);
        if (ApiKeys.GroupBy(k => k.Key, StringComparer.Ordinal).Any(g => g.Count() > 1))
            yield return new ValidationResult("Auth:ApiKeys: two entries have the same key.", [nameof(ApiKeys)]);
    }

    private static List<ValidationResult> ValidationOf(ApiKeyOptions key)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(key, new ValidationContext(key), results, validateAllProperties: true);
        return results;
    }
}
