namespace DirectDriveX.Grains.Interfaces;

/// <summary>The grain type of each grain class (its <c>[GrainType]</c>), named here so that a reference can be built from it
/// without asking Orleans to resolve the interface (<see cref="GrainReferences"/>). They are the names Orleans' convention
/// gave these classes before they were named explicitly (the class name, lower case, without "Grain"), so that stored
/// records and a cluster's older silos keep meaning the same grains.</summary>
public static class GrainTypeNames
{
    public const string UploadSession = "uploadsession";
    public const string StoredFile = "storedfile";
    public const string MemoryBudget = "memorybudget";
    public const string UploadClient = "uploadclient";
    public const string StoreSpace = "storespace";
    public const string TusFinalUpload = "tusfinalupload";
    public const string TusPartialUpload = "tuspartialupload";
}
