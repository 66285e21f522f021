using Microsoft.AspNetCore.Connections;

namespace DirectDriveX.Http.Transport;

/// <summary>Gives Kestrel's transports <see cref="ReceiveBlockMemoryPool"/>s (Kestrel takes its pools from this service).</summary>
public sealed class ReceiveBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public System.Buffers.MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new ReceiveBlockMemoryPool();
}
