namespace DirectDriveX.Grains.Interfaces;

/// <summary>
/// Marks the first start of an upload id made just now (<see cref="UploadIds.NewId"/>), for that call's duration: the session
/// it activates then has no record to read, and its storage does not ask for one (a failed open on the file system, a GET on
/// Redis, per upload; issue 19, eleventh round). Only a caller that drew the id itself and has made no call with it may mark
/// it; a retry or an id fixed beforehand is not marked. Should a marked id have a record after all, the session's first
/// write is refused by the storage's version check (the record it read as absent exists).
/// </summary>
public static class NewUploadMark
{
    /// <summary>The request-context key: its value is the new upload's id.</summary>
    public const string Key = "ddx-new-upload";

    public static IDisposable For(string uploadId)
    {
        RequestContext.Set(Key, uploadId);
        return new Scope();
    }

    /// <summary>Whether the call being served, or the activation it causes, is the marked first start of <paramref name="uploadId"/>.</summary>
    public static bool IsNew(string uploadId) => RequestContext.Get(Key) is string marked && marked == uploadId;

    public static void Clear() => RequestContext.Remove(Key);

    private sealed class Scope : IDisposable
    {
        public void Dispose() => Clear();
    }
}
