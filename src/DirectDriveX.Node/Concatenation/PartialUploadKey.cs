namespace DirectDriveX.Node.Concatenation;

/// <summary>One partial upload a final upload names: its id, the token that authorises it (null inside the cluster), and the
/// name the client gave it (a tus URL), which refusals quote.</summary>
public sealed record PartialUploadKey(string UploadId, string? Token, string Name);
