namespace DirectDriveX.Grains.Interfaces;

/// <summary>Created → Reserved → Receiving → Completed | Aborted | Expired | Failed. Written by name in JSON (the dashboard's
/// grain-state view, stored state), read by name or number.</summary>
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
}

public static class UploadStateExtensions
{
    /// <summary>True for the states a session never leaves.</summary>
    public static bool IsFinal(this UploadState state) =>
        state is UploadState.Completed or UploadState.Aborted or UploadState.Expired or UploadState.Failed;
}
