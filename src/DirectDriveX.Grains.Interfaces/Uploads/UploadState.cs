namespace DirectDriveX.Grains.Interfaces;

/// <summary>Created → Reserved → Receiving ⇄ Parked → Completed | Aborted | Expired | Failed. Written by name in JSON (the
/// dashboard's grain-state view, stored state), read by name or number.</summary>
[GenerateSerializer]
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<UploadState>))]
public enum UploadState
{
    Created = 0,
    Reserved = 1,
    Receiving = 2,
    Completed = 3,
    Aborted = 4,
    Expired = 5,
    Failed = 6,
    /// <summary>Idle past the lease timeout with committed bytes: the memory lease is given back (and the client's live slot),
    /// the bytes are kept, and the upload stays resumable until <c>Uploads:ResumeWindow</c> after its last commit. A writer
    /// that resumes it reserves its tier again (Receiving).</summary>
    Parked = 7,
}

public static class UploadStateExtensions
{
    /// <summary>True for the states a session never leaves.</summary>
    public static bool IsFinal(this UploadState state) =>
        state is UploadState.Completed or UploadState.Aborted or UploadState.Expired or UploadState.Failed;
}
