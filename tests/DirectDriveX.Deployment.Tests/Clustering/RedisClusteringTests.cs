using DirectDriveX.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DirectDriveX.Deployment.Tests.Clustering;

/// <summary>Two silo hosts, wired like the silo process, form one cluster through a real redis-server.</summary>
public sealed class RedisClusteringTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Both_silos_see_the_same_two_active_members()
    {
        var expected = cluster.Silos.Select(s => s.Address).Order().ToArray();
        foreach (var silo in cluster.Silos)
        {
            var management = silo.Grains.GetGrain<IManagementGrain>(0);
            var hosts = await Eventually.Holds(() => management.GetHosts(onlyActive: true),
                h => h.Count == 2, Deadline, $"{silo.Name} sees two active silos");
            Assert.Equal(expected, hosts.Keys.Order().ToArray());
            Assert.All(hosts.Values, status => Assert.Equal(SiloStatus.Active, status));
        }
    }

    [Fact]
    public async Task Each_silos_budget_grain_is_activated_on_that_silo_with_that_silos_cap()
    {
        var caller = cluster.Silos[0].Grains;
        var management = caller.GetGrain<IManagementGrain>(0);
        foreach (var (silo, cap) in cluster.Silos.Zip([2 * RedisClusterFixture.GiB, 3 * RedisClusterFixture.GiB]))
        {
            var budget = caller.BudgetOf(silo.Address);
            var snapshot = await budget.GetSnapshot();
            Assert.Equal((MemoryBudgetKey.For(silo.Address), silo.Name, cap), (snapshot.NodeId, snapshot.NodeName, snapshot.TotalBytes));
            Assert.Equal(silo.Address, await management.GetActivationAddress(budget));
        }
    }

    [Fact]
    public async Task The_membership_lives_in_Redis_under_this_clusters_id()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var keys = redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: $"*{cluster.ClusterId}*").Select(k => k.ToString()).ToList();
        Assert.NotEmpty(keys);
    }

    [Fact]
    public async Task A_client_that_knows_only_Redis_reaches_both_silos_budgets()
    {
        // The gateway's position: an Orleans client configured with nothing but the Redis connection string.
        using var client = new HostBuilder()
            .UseOrleansClient(c => c
                .UseRedisClustering(cluster.Redis.ConnectionString)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ClusterId)))
            .Build();
        await client.StartAsync();
        try
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            var hosts = await Eventually.Holds(() => grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true),
                h => h.Count == 2, Deadline, "the client sees two active silos");
            var names = new List<string>();
            foreach (var address in hosts.Keys) names.Add((await grains.BudgetOf(address).GetSnapshot()).NodeName);
            Assert.Equal(cluster.Silos.Select(s => s.Name).Order(), names.Order());
        }
        finally
        {
            await client.StopAsync();
        }
    }

    [Fact]
    public async Task A_third_silo_is_seen_joining_and_leaving_through_Redis()
    {
        var observer = cluster.Silos[0].Grains.GetGrain<IManagementGrain>(0);
        var third = await RedisSilo.StartAsync(cluster.Redis.ConnectionString, cluster.ClusterId, "redis-silo-c", RedisClusterFixture.GiB,
            cluster.FileStoreRoot);
        try
        {
            var joined = await Eventually.Holds(() => observer.GetHosts(onlyActive: true), h => h.Count == 3, Deadline, "three active silos");
            Assert.Contains(third.Address, joined.Keys);
            await third.StopAsync();
            var left = await Eventually.Holds(() => observer.GetHosts(onlyActive: true), h => h.Count == 2, Deadline, "two active silos again");
            Assert.DoesNotContain(third.Address, left.Keys);
        }
        finally
        {
            await third.DisposeAsync();
        }
    }
}
