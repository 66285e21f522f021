using System.Text;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.Protocols;
using DirectDriveX.HostDefaults;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;
using DirectDriveX.Http;

namespace DirectDriveX.Gateway.Tests.Hosting;

/// <summary>The settings behind issue 17's operations: Redis connection defaults, the refusal of a state store failure, the
/// shutdown's bounds, and which paths are the operator's.</summary>
public class OperationsSettingsTests
{
    [Fact]
    public void Redis_operations_fail_fast_without_a_connection_and_wait_a_second_at_most_unless_the_string_says_otherwise()
    {
        var options = RedisConnection.Options("127.0.0.1:6379");
        Assert.Equal((BacklogPolicy.FailFast, 1000, 1000), (options.BacklogPolicy, options.AsyncTimeout, options.SyncTimeout));
        var chosen = RedisConnection.Options("127.0.0.1:6379,asyncTimeout=3000,syncTimeout=4000");
        Assert.Equal((3000, 4000), (chosen.AsyncTimeout, chosen.SyncTimeout));
    }

    [Fact]
    public void A_sentinel_connection_string_names_the_service_and_its_sentinels()
    {
        var options = RedisConnection.Options("127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381,serviceName=ddx");
        Assert.Equal("ddx", options.ServiceName);
        Assert.Equal(3, options.EndPoints.Count);
    }

    [Fact]
    public void A_state_store_failure_is_a_retryable_node_unavailable_never_a_storage_failure()
    {
        var direct = new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is active/available");
        // What a grain's caller gets: Orleans cannot serialize the client's exception and names its type instead.
        var relayed = new OrleansException("Could not find a codec for type StackExchange.Redis.RedisConnectionException.");
        var wrapped = new InvalidOperationException("storage", direct);
        foreach (var failure in new Exception[] { direct, relayed, wrapped })
        {
            Assert.True(FailureRefusals.IsStateStoreUnavailable(failure), failure.GetType().Name);
            Assert.Equal(DirectDriveX.Grains.Interfaces.RefusalReason.NodeUnavailable, FailureRefusals.For(failure).Reason);
        }
        Assert.Equal(new DirectDriveX.Grains.Interfaces.UploadRefusal(DirectDriveX.Grains.Interfaces.RefusalReason.ServerFault,
            "The server failed to handle this request; retry later."), FailureRefusals.For(new InvalidOperationException("disk")));
    }

    [Fact]
    public void The_host_stops_within_the_drain_timeout_and_connections_get_half_of_it()
    {
        var options = new ShutdownOptions();
        Assert.Equal(TimeSpan.FromSeconds(10), options.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ConnectionDrainTimeout);
        Assert.True(options.HostShutdownTimeout < options.DrainTimeout);
    }

    [Theory]
    [InlineData("/dashboard", true)]
    [InlineData("/dashboard/index.min.js", true)]
    [InlineData("/metrics", true)]
    [InlineData("/api/v1/cluster/nodes", true)]
    [InlineData("/healthz", false)]
    [InlineData("/readyz", false)]
    [InlineData("/api/v1/uploads", false)]
    public void The_operators_paths_are_the_dashboard_metrics_and_the_node_list_never_the_probes(string path, bool management)
    {
        Assert.Equal(management, ManagementSurface.IsManagementPath(path));
    }

    [Fact]
    public void Management_urls_are_an_array_or_one_semicolon_separated_string()
    {
        var array = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Management:Urls:0"] = "http://127.0.0.1:8085", ["Management:Urls:1"] = "http://[::1]:8085",
        }).Build();
        var single = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Management:Urls"] = "http://127.0.0.1:8085; http://[::1]:8085",
        }).Build();
        Assert.Equal(["http://127.0.0.1:8085", "http://[::1]:8085"], ManagementSurface.Urls(array));
        Assert.Equal(["http://127.0.0.1:8085", "http://[::1]:8085"], ManagementSurface.Urls(single));
    }
}
