namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// References to grains by key, their interface's grain type resolved once per process. Orleans'
/// <see cref="IGrainFactory.GetGrain{TGrainInterface}(string, string)"/> resolves the interface's grain type on every call,
/// formatting the interface's name to look it up (issue 19, sixth round: 2.7% of the embedded process's CPU at 4 KiB
/// uploads, 16 at once, for the six references an upload's session and data plane take). The first reference of an
/// interface is taken that way and its grain type and interface type (plain values) are kept; every later one is built
/// from its id (<see cref="IGrainFactory.GetGrain(GrainId, GrainInterfaceType)"/>). Nothing that routes is kept: a
/// reference is always made by the factory asked, so silos that share a process (tests) keep their own runtimes.
/// </summary>
public static class GrainReferences
{
    public static T ReferenceTo<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey
    {
        if (TypesOf<T>.Known is { } known) return (T)grains.GetGrain(GrainId.Create(known.Grain, key), known.Interface);
        return TypesOf<T>.Learn(grains.GetGrain<T>(key));
    }

    public static T ReferenceTo<T>(this IGrainFactory grains, long key) where T : IGrainWithIntegerKey
    {
        if (TypesOf<T>.Known is { } known)
            return (T)grains.GetGrain(GrainId.Create(known.Grain, GrainIdKeyExtensions.CreateIntegerKey(key)), known.Interface);
        return TypesOf<T>.Learn(grains.GetGrain<T>(key));
    }

    private static class TypesOf<T>
    {
        public static ResolvedTypes? Known;

        public static T Learn(T reference)
        {
            if (reference is GrainReference resolved) Known = new ResolvedTypes(resolved.GrainId.Type, resolved.InterfaceType);
            return reference;
        }
    }

    private sealed record ResolvedTypes(GrainType Grain, GrainInterfaceType Interface);
}
