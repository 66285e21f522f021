using DirectDriveX.Grains.Interfaces;
using static DirectDriveX.Grains.Tests.Cluster.ClusterFixture;

namespace DirectDriveX.Grains.Tests.Cluster;

[Collection(BudgetCluster.Name)]
public class MemoryBudgetGrainTests(BudgetClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;

    [Fact]
    public async Task Each_silo_has_its_budget_grain_activated_on_itself()
    {
        Assert.Equal(2, fixture.Cluster.Silos.Count);
        foreach (var silo in fixture.Cluster.Silos)
        {
            var snapshot = await Grains.BudgetOf(silo.SiloAddress).GetSnapshot();
            Assert.Equal(MemoryBudgetKey.For(silo.SiloAddress), snapshot.NodeId);
            // NodeName comes from the ILocalSiloDetails of the silo the activation runs on.
            Assert.Equal(silo.Name, snapshot.NodeName);
        }
    }

    [Fact]
    public async Task Leases_outlive_a_deactivation_of_the_budget_grain()
    {
        // A graceful stop of the silo that keeps a grain's directory entry deactivates it, [KeepAlive] or not; the node's
        // uploads still hold their leases, and the activation that follows must count them.
        var budget = Grains.BudgetOf(fixture.Silo("Silo_1"));
        var session = $"kept-{Guid.NewGuid():N}";
        await budget.TryReserve(session, 7 * MiB);
        var before = await budget.GetSnapshot();
        try
        {
            await budget.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
            var after = await Eventually.Holds(budget.GetSnapshot, s => s.TakenAt > before.TakenAt, TimeSpan.FromSeconds(10), "the budget answers again");

            Assert.Equal((before.LeaseCount, before.LeasedBytes), (after.LeaseCount, after.LeasedBytes));
            Assert.True(await budget.Renew(session));
        }
        finally
        {
            await budget.Release(session);
        }
    }

    [Fact]
    public async Task Its_state_for_the_dashboard_is_the_figures_and_every_lease_with_its_session_and_expiry()
    {
        var budget = Grains.BudgetOf(fixture.Silo("Silo_1"));
        var first = $"state-{Guid.NewGuid():N}";
        var second = $"state-{Guid.NewGuid():N}";
        var firstGrant = await budget.TryReserve(first, 3 * MiB);
        var secondGrant = await budget.TryReserve(second, 5 * MiB);
        Assert.Equal(BudgetClusterFixture.SecondaryHeadroom - 8 * MiB, secondGrant.HeadroomLeftBytes);
        try
        {
            var state = await budget.GetState();
            Assert.Equal((BudgetClusterFixture.SecondaryHeadroom - 8 * MiB, 8 * MiB, 2), (state.Figures.HeadroomBytes, state.Figures.LeasedBytes, state.Figures.LeaseCount));
            Assert.Equal([new BudgetLease(first, 3 * MiB, firstGrant.ExpiresAt), new BudgetLease(second, 5 * MiB, secondGrant.ExpiresAt)], state.Leases);
        }
        finally
        {
            await budget.Release(first);
            await budget.Release(second);
        }
        Assert.Empty((await budget.GetState()).Leases);
    }

    [Fact]
    public async Task Snapshots_report_each_silos_own_capped_figures()
    {
        var primary = await UploadDriver.Budget(Grains, fixture.Silo("Silo_0"));
        var secondary = await UploadDriver.Budget(Grains, fixture.Silo("Silo_1"));
        Assert.Equal((1 * GiB, 1 * GiB, 512 * MiB, 1 * GiB * 80 / 100), (primary.TotalBytes, primary.AvailableBytes, primary.ReserveBytes, primary.CeilingBytes));
        Assert.Equal(BudgetClusterFixture.PrimaryHeadroom - primary.LeasedBytes, primary.HeadroomBytes);
        Assert.Equal(BudgetClusterFixture.SecondaryHeadroom - secondary.LeasedBytes, secondary.HeadroomBytes);
        Assert.Equal(15, primary.BufferCapacity);
    }

    [Fact]
    public async Task A_reservation_beyond_headroom_is_refused_with_the_figures()
    {
        var silo = fixture.Silo("Silo_0");
        var budget = Grains.BudgetOf(silo);
        var sessionId = UploadIds.NewId();

        var grant = await budget.TryReserve(sessionId, BudgetClusterFixture.PrimaryHeadroom + 1);

        Assert.False(grant.Granted);
        Assert.Equal(RefusalReason.InsufficientHeadroom, grant.Refusal!.Reason);
        Assert.Equal(new BudgetFigures(MemoryBudgetKey.For(silo), BudgetClusterFixture.PrimaryHeadroom + 1,
            BudgetClusterFixture.PrimaryHeadroom, 1 * GiB, 512 * MiB, 1 * GiB * 80 / 100, 0), grant.Refusal.Figures);
        Assert.Equal(0, (await budget.GetSnapshot()).LeaseCount);
    }

    [Fact]
    public async Task A_reservation_of_exactly_the_headroom_is_granted_and_release_is_idempotent()
    {
        var budget = Grains.BudgetOf(fixture.Silo("Silo_1"));
        var sessionId = UploadIds.NewId();

        var grant = await budget.TryReserve(sessionId, BudgetClusterFixture.SecondaryHeadroom);
        Assert.True(grant.Granted);
        var held = await budget.GetSnapshot();
        Assert.Equal((1, BudgetClusterFixture.SecondaryHeadroom, 0L), (held.LeaseCount, held.LeasedBytes, held.HeadroomBytes));

        var again = await budget.TryReserve(sessionId, BudgetClusterFixture.SecondaryHeadroom);
        Assert.True(again.Granted); // the same session's lease, not a second one
        Assert.Equal(1, (await budget.GetSnapshot()).LeaseCount);

        await budget.Release(sessionId);
        await budget.Release(sessionId);
        var after = await budget.GetSnapshot();
        Assert.Equal((0, 0L, BudgetClusterFixture.SecondaryHeadroom), (after.LeaseCount, after.LeasedBytes, after.HeadroomBytes));
    }

    [Fact]
    public async Task Hundreds_of_concurrent_reservations_never_over_commit()
    {
        var budget = Grains.BudgetOf(fixture.Silo("Silo_0"));
        const long leaseBytes = 3 * MiB; // 512 MiB / 3 MiB = 170 fit, 400 ask
        var sessions = Enumerable.Range(0, 400).Select(_ => UploadIds.NewId()).ToArray();

        var grants = await Task.WhenAll(sessions.Select(s => budget.TryReserve(s, leaseBytes)));

        Assert.Equal(170, grants.Count(g => g.Granted));
        Assert.All(grants.Where(g => !g.Granted), g => Assert.Equal(RefusalReason.InsufficientHeadroom, g.Refusal!.Reason));
        var snapshot = await budget.GetSnapshot();
        Assert.Equal(170 * leaseBytes, snapshot.LeasedBytes);
        Assert.True(snapshot.HeadroomBytes is >= 0 and < leaseBytes);

        await Task.WhenAll(sessions.Select(s => budget.Release(s)));
        Assert.Equal(0, (await budget.GetSnapshot()).LeaseCount);
    }

    [Fact]
    public async Task Renewing_an_unknown_lease_says_so()
    {
        Assert.False(await Grains.BudgetOf(fixture.Silo("Silo_0")).Renew(UploadIds.NewId()));
    }
}

[Collection(ExpiryCluster.Name)]
public class MemoryBudgetExpiryTests(ExpiryClusterFixture fixture)
{
    [Fact]
    public async Task A_lease_not_renewed_within_the_timeout_comes_back()
    {
        var budget = fixture.Client.BudgetOf(fixture.Silo("Silo_1"));
        var sessionId = UploadIds.NewId();
        Assert.True((await budget.TryReserve(sessionId, 64 * MiB)).Granted);
        Assert.Equal(64 * MiB, (await budget.GetSnapshot()).LeasedBytes);

        var after = await Eventually.Holds(budget.GetSnapshot, s => s.LeaseCount == 0, TimeSpan.FromSeconds(10), "the lease expires");

        Assert.Equal(0, after.LeasedBytes);
        Assert.False(await budget.Renew(sessionId));
    }
}
