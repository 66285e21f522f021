using System.Net;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Memory;
using DirectDriveX.Grains.Sampling;
using DirectDriveX.Grains.Storage;
using DirectDriveX.Node.Draining;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DirectDriveX.Grains.Tests.Policy;

/// <summary>A silo's budget as its own sessions use it, in process: a grant is decided and taken at once, so reservations
/// made together never lease more than the headroom; a session's second reservation is its lease; a leaving node refuses.</summary>
public class NodeBudgetTests
{
    private const long MiB = 1L << 20;

    /// <summary>1 GiB, all available: headroom min(1 GiB − 512 MiB, 80% of 1 GiB) = 512 MiB.</summary>
    private sealed class Host : IMemoryProbe, IStoreSpaceProbe
    {
        public MemoryReading Read() => new(1L << 30, 1L << 30);

        public long? AvailableBytes() => null;
    }

    private sealed class Silo : ILocalSiloDetails
    {
        public string Name => "silo-test";
        public string ClusterId => "test";
        public string DnsHostName => "localhost";
        public SiloAddress SiloAddress { get; } = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
        public SiloAddress GatewayAddress => SiloAddress;
    }

    private static (NodeBudget Budget, LeaseBook Leases, NodeDrain Drain) Create()
    {
        var options = Options.Create(new MemoryBudgetOptions());
        var host = new Host();
        var leases = new LeaseBook();
        var drain = new NodeDrain();
        var resources = new NodeResources(host, host, TimeProvider.System, options, NullLogger<NodeResources>.Instance);
        return (new NodeBudget(resources, leases, drain, new Silo(), TimeProvider.System, options, NullLogger<NodeBudget>.Instance), leases, drain);
    }

    [Fact]
    public async Task Reservations_made_at_once_never_lease_more_than_the_headroom()
    {
        var (budget, leases, _) = Create();

        var grants = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => budget.TryReserveAsync($"upload-{i}", 24 * MiB))));

        Assert.Equal(21, grants.Count(g => g.Granted)); // 21 × 24 MiB = 504 MiB of 512
        Assert.Equal(21 * 24 * MiB, leases.LeasedBytes);
        Assert.All(grants.Where(g => !g.Granted), g =>
        {
            Assert.Equal(RefusalReason.InsufficientHeadroom, g.Refusal!.Reason);
            Assert.Equal(new BudgetFigures(budget.NodeId, 24 * MiB, 8 * MiB, 1L << 30, 512 * MiB, (1L << 30) * 80 / 100, 504 * MiB), g.Refusal.Figures);
        });
    }

    [Fact]
    public async Task A_session_that_holds_a_lease_gets_it_again_and_its_release_gives_it_back()
    {
        var (budget, leases, _) = Create();
        var first = await budget.TryReserveAsync("upload-a", 10 * MiB);

        var again = await budget.TryReserveAsync("upload-a", 30 * MiB);

        Assert.Equal((true, 10 * MiB, 502 * MiB), (again.Granted, again.Bytes, again.HeadroomLeftBytes));
        Assert.True(again.ExpiresAt >= first.ExpiresAt);
        Assert.Equal(10 * MiB, leases.LeasedBytes);
        Assert.True(budget.Shrink("upload-a", 4 * MiB));
        Assert.Equal(4 * MiB, leases.LeasedBytes);
        budget.Release("upload-a");
        budget.Release("upload-a");
        Assert.Equal((0, 0L), (leases.Count, leases.LeasedBytes));
        Assert.False(budget.Renew("upload-a"));
    }

    [Fact]
    public async Task A_leaving_node_takes_no_new_lease_but_keeps_those_it_holds()
    {
        var (budget, leases, drain) = Create();
        await budget.TryReserveAsync("upload-held", 10 * MiB);
        drain.Begin();

        var refused = await budget.TryReserveAsync("upload-new", 1 * MiB);
        var held = await budget.TryReserveAsync("upload-held", 10 * MiB);

        Assert.Equal(RefusalReason.InsufficientHeadroom, refused.Refusal!.Reason);
        Assert.Equal("Node silo-test is shutting down and takes no new upload; retry on another node.", refused.Refusal.Message);
        Assert.True(held.Granted);
        Assert.Equal(10 * MiB, leases.LeasedBytes);
    }
}
