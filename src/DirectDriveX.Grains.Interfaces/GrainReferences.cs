using System.Collections.Frozen;

namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// References to grains by key, built from their grain type and interface type known beforehand. Orleans'
/// <see cref="IGrainFactory.GetGrain{TGrainInterface}(string, string)"/> resolves the interface's grain type on every call,
/// formatting the interface's name to look it up (issue 19, sixth round: 2.7% of the embedded process's CPU at 4 KiB
/// uploads, 16 at once, for the six references an upload's session and data plane take). The interfaces this service
/// references on its hot paths are listed with their grain type (<see cref="GrainTypeNames"/>, each class's
/// <c>[GrainType]</c>) and their interface type (Orleans' default: the interface's full name); a reference is built from
/// its id (<see cref="IGrainFactory.GetGrain(GrainId, GrainInterfaceType)"/>) by the factory asked, so silos that share a
/// process (tests) keep their own runtimes. Any other interface is resolved by Orleans. The table is immutable; a test
/// checks every entry against what Orleans resolves.
/// </summary>
public static class GrainReferences
{
    public static T ReferenceTo<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey =>
        TypesOf<T>.Known is { } known
            ? (T)grains.GetGrain(GrainId.Create(known.Grain, key), known.Interface)
            : grains.GetGrain<T>(key);

    public static T ReferenceTo<T>(this IGrainFactory grains, long key) where T : IGrainWithIntegerKey =>
        TypesOf<T>.Known is { } known
            ? (T)grains.GetGrain(GrainId.Create(known.Grain, GrainIdKeyExtensions.CreateIntegerKey(key)), known.Interface)
            : grains.GetGrain<T>(key);

    /// <summary>Every interface listed, with its grain type and interface type.</summary>
    public static readonly FrozenDictionary<Type, ResolvedGrainTypes> Listed = new Dictionary<Type, ResolvedGrainTypes>
    {
        [typeof(IUploadSessionGrain)] = Of<IUploadSessionGrain>(GrainTypeNames.UploadSession),
        [typeof(IStoredFileGrain)] = Of<IStoredFileGrain>(GrainTypeNames.StoredFile),
        [typeof(IMemoryBudgetGrain)] = Of<IMemoryBudgetGrain>(GrainTypeNames.MemoryBudget),
        [typeof(IUploadClientGrain)] = Of<IUploadClientGrain>(GrainTypeNames.UploadClient),
        [typeof(IStoreSpaceGrain)] = Of<IStoreSpaceGrain>(GrainTypeNames.StoreSpace),
        [typeof(ITusFinalUploadGrain)] = Of<ITusFinalUploadGrain>(GrainTypeNames.TusFinalUpload),
        [typeof(ITusPartialUploadGrain)] = Of<ITusPartialUploadGrain>(GrainTypeNames.TusPartialUpload),
    }.ToFrozenDictionary();

    private static ResolvedGrainTypes Of<T>(string grainType) =>
        new(GrainType.Create(grainType), GrainInterfaceType.Create(typeof(T).FullName!));

    /// <summary>T's entry, looked up once per interface (a read-only field set by the type's initializer).</summary>
    private static class TypesOf<T>
    {
        public static readonly ResolvedGrainTypes? Known = Listed.GetValueOrDefault(typeof(T));
    }
}

/// <summary>A grain interface's grain type and interface type, as Orleans resolves them.</summary>
public sealed record ResolvedGrainTypes(GrainType Grain, GrainInterfaceType Interface);
