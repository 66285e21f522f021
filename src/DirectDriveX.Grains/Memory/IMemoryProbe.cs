namespace DirectDriveX.Grains.Memory;

/// <summary>Reads the node's live memory. Injected, so that tests can stand in a host of any size.</summary>
public interface IMemoryProbe
{
    MemoryReading Read();
}
