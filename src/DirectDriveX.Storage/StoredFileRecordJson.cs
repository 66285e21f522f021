using System.Text.Json;
using DirectDriveX.Grains.Interfaces;

namespace DirectDriveX.Storage;

/// <summary>A stored file's record as every store writes it: web-style JSON, indented.</summary>
internal static class StoredFileRecordJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static byte[] Serialize(StoredFileRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, Options);

    public static StoredFileRecord? Deserialize(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<StoredFileRecord>(json, Options);
}
