using System.Collections.Concurrent;

namespace DirectDriveX.Testing;

/// <summary>
/// A fault injector for a throwaway test cluster: calls to a grain whose key is listed fail on the silo with
/// <see cref="SiloUnavailableException"/>, as when Orleans cannot reach the silo holding it, either every call or only the
/// named methods. Keys are unique upload ids, so tests in parallel never see each other's faults.
/// </summary>
public sealed class UnreachableGrains : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, string[]?> Faults = new(StringComparer.Ordinal);

    /// <summary>Calls to grains keyed <paramref name="key"/> fail (only <paramref name="methods"/>, when given).</summary>
    public static void Break(string key, params string[] methods) => Faults[key] = methods.Length == 0 ? null : methods;

    public static void Heal(string key) => Faults.TryRemove(key, out _);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (Faults.TryGetValue(context.TargetId.Key.ToString()!, out var methods)
            && (methods is null || methods.Contains(context.ImplementationMethod.Name)))
            throw new SiloUnavailableException($"Silo S127.0.0.1:0:0 is unavailable (injected for {context.TargetId}).");
        return context.Invoke();
    }
}
