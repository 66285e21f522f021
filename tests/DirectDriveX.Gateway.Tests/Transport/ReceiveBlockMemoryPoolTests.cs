using DirectDriveX.Gateway.Hosting;
using DirectDriveX.Http.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.Gateway.Tests.Transport;

public class ReceiveBlockMemoryPoolTests
{
    [Fact]
    public void Blocks_are_64_KiB_and_a_returned_block_is_rented_again()
    {
        using var pool = new ReceiveBlockMemoryPool();
        var first = pool.Rent(2048);
        Assert.Equal(64 * 1024, first.Memory.Length);
        var array = System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(first.Memory, out var segment) ? segment.Array : null;
        first.Dispose();
        first.Dispose(); // idempotent: returned once
        Assert.Throws<ObjectDisposedException>(() => first.Memory);

        using var second = pool.Rent();
        using var third = pool.Rent();
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(second.Memory, out var again));
        Assert.Same(array, again.Array);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(64 * 1024 + 1));
    }

    [Fact]
    public async Task Kestrel_is_given_the_pool_by_both_hosts()
    {
        await using var gateway = GatewayApplication.Build(GatewayApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Gateway:Mode=External"]));
        Assert.IsType<ReceiveBlockMemoryPoolFactory>(gateway.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
        var silo = DirectDriveX.Silo.SiloApplication.CreateBuilder(["--urls=http://127.0.0.1:0"]).Services
            .Last(d => d.ServiceType == typeof(IMemoryPoolFactory<byte>));
        Assert.Equal(typeof(ReceiveBlockMemoryPoolFactory), silo.ImplementationType);
    }
}
