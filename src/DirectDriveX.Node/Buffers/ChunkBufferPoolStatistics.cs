namespace DirectDriveX.Node.Buffers;

/// <summary>The pool at one moment: buffers lent out and their bytes, buffers allocated so far, the cap, and writers waiting.</summary>
public readonly record struct ChunkBufferPoolStatistics(int BuffersInUse, long BytesInUse, int BuffersAllocated, int Capacity, int Waiting);
