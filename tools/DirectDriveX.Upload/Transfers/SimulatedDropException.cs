namespace DirectDriveX.Upload.Transfers;

/// <summary>The connection was cut on purpose (--simulate-drop-at), to exercise resuming.</summary>
internal sealed class SimulatedDropException(long offset) : IOException($"connection dropped on purpose after {offset} bytes sent");
