using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage.Objects;

/// <summary>
/// Where an object store keeps what this service writes, under one prefix: <c>files/{id}</c> a stored file's bytes (written
/// there when the upload is assembled), <c>records/{id}.json</c> its record (written last: a file exists once its record
/// does), <c>staging/{id}/{epoch}.{start}-{end}</c> committed bytes of a part not yet whole.
/// </summary>
internal sealed class ObjectKeys(string prefix)
{
    public string File(string fileId) => $"{prefix}files/{Checked(fileId)}";

    public string Record(string fileId) => $"{RecordRoot}{Checked(fileId)}.json";

    public string RecordRoot => $"{prefix}records/";

    /// <summary>The file id of a record's key, or null for a key of another shape.</summary>
    public string? ParseRecord(string key)
    {
        if (!key.StartsWith(RecordRoot, StringComparison.Ordinal) || !key.EndsWith(".json", StringComparison.Ordinal)) return null;
        var fileId = key[RecordRoot.Length..^".json".Length];
        return UploadIds.IsWellFormed(fileId) ? fileId : null;
    }

    public string StagingRoot => $"{prefix}staging/";

    public string StagingOf(string uploadId) => $"{StagingRoot}{Checked(uploadId)}/";

    public string Staged(string uploadId, int epoch, long start, long end) => $"{StagingOf(uploadId)}{epoch}.{start}-{end}";

    /// <summary>The upload id and epoch of a staged object's key, or null for a key of another shape.</summary>
    public (string UploadId, int Epoch)? ParseStaged(string key)
    {
        if (!key.StartsWith(StagingRoot, StringComparison.Ordinal)) return null;
        var rest = key[StagingRoot.Length..].Split('/');
        if (rest.Length != 2 || !UploadIds.IsWellFormed(rest[0])) return null;
        var dot = rest[1].IndexOf('.');
        return dot > 0 && int.TryParse(rest[1].AsSpan(0, dot), out var epoch) ? (rest[0], epoch) : null;
    }

    private static string Checked(string id) =>
        UploadIds.IsWellFormed(id) ? id : throw new ArgumentException($"'{id}' is not a well-formed upload or file id.", nameof(id));
}
