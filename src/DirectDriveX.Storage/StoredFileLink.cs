namespace DirectDriveX.Storage;

/// <summary>What a download link to a stored file says: the file, how long the link is valid, and the content type and
/// disposition the store answers with (so that a browser saves the file under its name, as from the gateway).</summary>
public sealed record StoredFileLink(string FileId, string ContentType, string ContentDisposition, TimeSpan ValidFor);
