namespace DirectDriveX.Grains.Interfaces;

/// <summary>The refusal of bytes past an upload's declared size, in the words every protocol and the session use.</summary>
public static class PastDeclaredSize
{
    public static UploadRefusal Refusal(long size) =>
        new(RefusalReason.PastDeclaredSize, $"The data runs past the declared size of {size} bytes.");

    /// <summary>The commit of bytes [<paramref name="offset"/>, offset + <paramref name="length"/>) that ends past the size.</summary>
    public static UploadRefusal Refusal(long size, long offset, long length) =>
        new(RefusalReason.PastDeclaredSize, $"Bytes [{offset}, {offset + length}) run past the declared size of {size} bytes.");
}
