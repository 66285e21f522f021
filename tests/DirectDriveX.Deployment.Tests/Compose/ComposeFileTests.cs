using DirectDriveX.Storage;
using System.Net;
using System.Text.RegularExpressions;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Storage;
using DirectDriveX.Grains.Hosting;

namespace DirectDriveX.Deployment.Tests.Compose;

/// <summary>compose.yaml (no Docker engine here): the topology exists and its services agree with each other.</summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] Silos = ["silo-1", "silo-2", "silo-3"];
    private static readonly string[] ClusterMembers = [.. Silos, "gateway"];

    private readonly ComposeFile _compose = ComposeFile.Load(RepositoryRoot.File("compose.yaml"));

    private ComposeService Service(string name) =>
        _compose.Services.TryGetValue(name, out var service) ? service : throw new Xunit.Sdk.XunitException($"compose.yaml has no service '{name}'.");

    private static string Env(ComposeService service, string key) =>
        service.Environment.TryGetValue(key, out var value) ? value : throw new Xunit.Sdk.XunitException($"missing environment variable {key}");

    private static int ListenPort(ComposeService service) => new Uri(Env(service, "Urls").Split(';')[0]).Port;

    [Fact]
    public void It_declares_redis_three_silos_and_one_gateway()
    {
        Assert.Equal(["gateway", "redis", "silo-1", "silo-2", "silo-3"], _compose.Services.Keys.Order());
    }

    [Fact]
    public void Every_silo_and_the_gateway_use_the_redis_service_for_clustering()
    {
        var redis = Service("redis");
        var portArgument = redis.Command.IndexOf("--port");
        var redisPort = portArgument >= 0 ? redis.Command[portArgument + 1] : "6379";
        foreach (var name in ClusterMembers)
            Assert.Equal($"redis:{redisPort}", Env(Service(name), "ConnectionStrings__Redis"));
        foreach (var silo in Silos)
            Assert.Equal("service_healthy", Service(silo).DependsOn["redis"].Condition);
        Assert.Contains("ping", Service("redis").Healthcheck!.Test);
    }

    [Fact]
    public void Silos_and_the_gateway_join_one_cluster_of_one_service()
    {
        Assert.Single(ClusterMembers.Select(name => Env(Service(name), "Orleans__ClusterId")).Distinct());
        Assert.Single(ClusterMembers.Select(name => Env(Service(name), "Orleans__ServiceId")).Distinct());
    }

    [Fact]
    public void Silos_have_distinct_memory_limits_and_their_budget_cap_states_the_same_bytes()
    {
        var limits = Silos.Select(name => ByteSize.Parse(Service(name).MemLimit
            ?? throw new Xunit.Sdk.XunitException($"{name} has no mem_limit"))).ToList();
        Assert.Equal(Silos.Length, limits.Distinct().Count());
        foreach (var (name, limit) in Silos.Zip(limits))
            Assert.Equal(limit.ToString(), Env(Service(name), "MemoryBudget__MemoryLimitBytes"));
    }

    [Fact]
    public void Each_silo_has_its_own_name_and_advertises_its_own_address_on_the_cluster_network()
    {
        var subnet = _compose.Networks["cluster"].Ipam!.Config.Single()["subnet"];
        var network = IPNetwork.Parse(subnet);
        var addresses = new List<string>();
        foreach (var name in Silos)
        {
            var silo = Service(name);
            Assert.Equal(name, Env(silo, "Orleans__SiloName"));
            var advertised = Env(silo, "Orleans__AdvertisedIP");
            Assert.Equal(silo.Networks["cluster"]!.Ipv4Address, advertised);
            Assert.True(network.Contains(IPAddress.Parse(advertised)), $"{name}: {advertised} is outside {subnet}");
            Assert.Equal("true", Env(silo, "Orleans__ListenOnAnyHostAddress"));
            addresses.Add(advertised);
        }
        var everyAddress = _compose.Services.Values.Select(s => s.Networks.GetValueOrDefault("cluster")?.Ipv4Address).ToList();
        Assert.Equal(everyAddress.Count, everyAddress.Distinct().Count());
    }

    [Fact]
    public void Every_silo_and_the_gateway_mount_the_shared_volume_at_the_file_store_root()
    {
        var mounts = ClusterMembers.Select(name =>
        {
            var service = Service(name);
            var root = Env(service, "FileStore__RootDirectory");
            var mount = service.Volumes.Select(v => v.Split(':')).SingleOrDefault(parts => parts.Length >= 2 && parts[1] == root)
                ?? throw new Xunit.Sdk.XunitException($"{name} mounts nothing at its file store root {root}");
            return mount[0];
        }).ToList();
        var volume = Assert.Single(mounts.Distinct());
        Assert.True(_compose.Volumes.ContainsKey(volume), $"volume '{volume}' is not declared under volumes:");
    }

    [Fact]
    public void Healthchecks_probe_healthz_on_the_port_each_process_listens_on()
    {
        foreach (var name in ClusterMembers)
        {
            var service = Service(name);
            var test = service.Healthcheck?.Test ?? throw new Xunit.Sdk.XunitException($"{name} has no healthcheck");
            Assert.Equal("CMD", test[0]);
            Assert.Contains($"http://127.0.0.1:{ListenPort(service)}/healthz", test);
        }
    }

    [Fact]
    public void The_gateway_is_published_on_8080_and_each_silo_publishes_its_dashboard_port_on_a_distinct_host_port()
    {
        var gateway = Service("gateway");
        Assert.Contains($"8080:{ListenPort(gateway)}", gateway.Ports);
        var hostPorts = new List<string>();
        foreach (var name in Silos)
        {
            var silo = Service(name);
            var published = Assert.Single(silo.Ports).Split(':');
            Assert.Equal(ListenPort(silo).ToString(), published[1]);
            hostPorts.Add(published[0]);
        }
        Assert.Equal(Silos.Length + 1, hostPorts.Append("8080").Distinct().Count());
    }

    [Fact]
    public void The_gateway_starts_once_every_silo_is_healthy()
    {
        var dependsOn = Service("gateway").DependsOn;
        foreach (var silo in Silos)
            Assert.Equal("service_healthy", dependsOn[silo].Condition);
    }

    [Fact]
    public void Images_are_built_from_stages_of_the_repository_Dockerfile_that_run_the_right_app()
    {
        var dockerfile = File.ReadAllText(RepositoryRoot.File("Dockerfile"));
        var expectedApp = new Dictionary<string, string> { ["silo"] = "DirectDriveX.Silo.dll", ["gateway"] = "DirectDriveX.Gateway.dll" };
        foreach (var name in ClusterMembers)
        {
            var build = Service(name).Build ?? throw new Xunit.Sdk.XunitException($"{name} has no build section");
            Assert.Equal(".", build.Context);
            var stage = StageOf(dockerfile, build.Target!);
            Assert.Contains($"\"{expectedApp[build.Target!]}\"", stage);
        }
    }

    [Fact]
    public void Every_setting_names_a_real_option_of_the_silo()
    {
        var known = new Dictionary<string, Type>
        {
            [SiloHostOptions.Section] = typeof(SiloHostOptions),
            [MemoryBudgetOptions.Section] = typeof(MemoryBudgetOptions),
            [FileStoreOptions.Section] = typeof(FileStoreOptions),
            [DirectDriveX.Protocols.Clients.ClientOptions.Section] = typeof(DirectDriveX.Protocols.Clients.ClientOptions),
            [DirectDriveX.Protocols.Clients.AuthOptions.Section] = typeof(DirectDriveX.Protocols.Clients.AuthOptions),
        };
        foreach (var name in Silos)
        {
            foreach (var key in Service(name).Environment.Keys.Where(k => k.Contains("__") && !k.StartsWith("ConnectionStrings__")))
            {
                var parts = key.Split("__");
                if (parts is ["Orleans", "Membership", var membership])
                {
                    // Orleans:Membership binds Orleans' own ClusterMembershipOptions.
                    Assert.True(typeof(Orleans.Configuration.ClusterMembershipOptions).GetProperty(membership) is not null,
                        $"{name}: {key} is not a property of ClusterMembershipOptions");
                    continue;
                }
                Assert.True(known.TryGetValue(parts[0], out var options), $"{name}: {key} is not a section the silo binds");
                Assert.True(options!.GetProperty(parts[1]) is not null, $"{name}: {key} is not a property of {options.Name}");
            }
        }
    }

    private static string StageOf(string dockerfile, string target)
    {
        var match = StageStart().Matches(dockerfile).SingleOrDefault(m => m.Groups["name"].Value == target)
            ?? throw new Xunit.Sdk.XunitException($"Dockerfile has no stage '{target}'");
        var next = StageStart().Match(dockerfile, match.Index + match.Length);
        return dockerfile[match.Index..(next.Success ? next.Index : dockerfile.Length)];
    }

    [GeneratedRegex(@"^FROM\s+\S+\s+AS\s+(?<name>\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex StageStart();
}
