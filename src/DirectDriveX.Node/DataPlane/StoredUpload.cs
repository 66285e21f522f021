using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Node.DataPlane;

/// <summary>An upload just completed: its stored file, and the delete token its keyless client is given once (null for a
/// client with an API key, which deletes with its key).</summary>
public sealed record StoredUpload(StoredFileRecord File, string? DeleteToken);
