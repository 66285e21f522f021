using DirectDriveX.Storage;
using System.Net;
using System.Text.RegularExpressions;
using DirectDriveX.Grains.Budget;
using DirectDriveX.Grains.Storage;
using DirectDriveX.Silo.Hosting;
using DirectDriveX.HostDefaults;

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

    private static readonly string[] Sentinels = ["sentinel-1", "sentinel-2", "sentinel-3"];

    [Fact]
    public void It_declares_redis_with_a_replica_and_three_sentinels_minio_and_its_bucket_three_silos_and_one_gateway()
    {
        Assert.Equal(["gateway", "minio", "minio-init", "redis", "redis-replica", "sentinel-1", "sentinel-2", "sentinel-3", "silo-1", "silo-2", "silo-3"],
            _compose.Services.Keys.Order());
    }

    [Fact]
    public void Every_silo_and_the_gateway_reach_redis_through_the_three_sentinels_of_one_service()
    {
        var replica = Service("redis-replica");
        var replicaOf = replica.Command.IndexOf("--replicaof");
        Assert.True(replicaOf >= 0, "redis-replica replicates nothing");
        Assert.Equal(["redis", "6379"], replica.Command.Skip(replicaOf + 1).Take(2));
        foreach (var sentinel in Sentinels)
        {
            var script = string.Join("\n", Service(sentinel).Command);
            Assert.Contains("sentinel monitor ddx redis 6379 2", script);
            Assert.Contains("redis-sentinel", script);
        }
        var expected = string.Join(",", Sentinels.Select(s => $"{s}:26379")) + ",serviceName=ddx";
        foreach (var name in ClusterMembers)
            Assert.Equal(expected, Env(Service(name), "ConnectionStrings__Redis"));
        foreach (var silo in Silos)
            foreach (var dependency in Sentinels.Append("redis"))
                Assert.Equal("service_healthy", Service(silo).DependsOn[dependency].Condition);
        Assert.Contains("ping", Service("redis").Healthcheck!.Test);
    }

    [Fact]
    public void Every_long_running_service_is_restarted_after_a_crash()
    {
        foreach (var (name, service) in _compose.Services)
            if (name != "minio-init") Assert.True(service.Restart == "unless-stopped", $"{name}: restart is {service.Restart ?? "unset"}");
    }

    [Fact]
    public void The_gateway_serves_its_management_surfaces_on_a_port_published_on_the_loopback_only()
    {
        var gateway = Service("gateway");
        var management = new Uri(Env(gateway, "Management__Urls")).Port;
        Assert.NotEqual(ListenPort(gateway), management);
        Assert.Contains($"127.0.0.1:{management}:{management}", gateway.Ports);
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
        var everyAddress = _compose.Services.Values.Select(s => s.Networks.GetValueOrDefault("cluster")?.Ipv4Address).OfType<string>().ToList();
        Assert.Equal(everyAddress.Count, everyAddress.Distinct().Count());
    }

    [Fact]
    public void Each_silo_and_the_gateway_keep_their_scratch_directory_on_a_volume_of_their_own()
    {
        // With an object store nothing on disk may be shared: a silo's scratch (its staging, its local copies) is its own.
        foreach (var name in ClusterMembers)
        {
            var service = Service(name);
            var root = Env(service, "FileStore__RootDirectory");
            var mount = service.Volumes.Select(v => v.Split(':')).SingleOrDefault(parts => parts.Length >= 2 && parts[1] == root);
            if (mount is not null)
                Assert.True(_compose.Volumes.ContainsKey(mount[0]), $"{name}: volume '{mount[0]}' is not declared under volumes:");
        }
        var mountedBy = _compose.Services
            .SelectMany(service => service.Value.Volumes.Select(v => (volume: v.Split(':')[0], service: service.Key)))
            .Where(m => _compose.Volumes.ContainsKey(m.volume))
            .GroupBy(m => m.volume);
        foreach (var volume in mountedBy)
            Assert.True(volume.Select(m => m.service).Distinct().Count() == 1,
                $"volume '{volume.Key}' is shared by {string.Join(", ", volume.Select(m => m.service).Distinct())}");
    }

    [Fact]
    public void Every_silo_and_the_gateway_use_the_same_object_store()
    {
        // The gateway streams downloads from the store itself: it needs exactly the silos' settings.
        var settings = ClusterMembers.Select(name => (name, store: Service(name).Environment
            .Where(e => e.Key.StartsWith("FileStore__") && e.Key != "FileStore__RootDirectory")
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => $"{e.Key}={e.Value}").ToList())).ToList();
        var first = settings[0];
        foreach (var (name, store) in settings.Skip(1))
            Assert.True(first.store.SequenceEqual(store), $"{name}'s FileStore settings differ from {first.name}'s:\n{string.Join("\n", store)}\nvs\n{string.Join("\n", first.store)}");
        var silo = Service(Silos[0]);
        Assert.Equal("S3", Env(silo, "FileStore__Kind"));
        foreach (var key in new[] { "ServiceUrl", "Region", "Bucket", "ForcePathStyle", "AccessKey", "SecretKey", "CreateBucket" })
            Assert.False(string.IsNullOrWhiteSpace(Env(silo, $"FileStore__S3__{key}")), $"FileStore__S3__{key} is empty");
    }

    [Fact]
    public void The_object_store_is_the_minio_service_path_style_with_its_credentials_and_healthy_before_the_silos()
    {
        var minio = Service("minio");
        var silo = Service(Silos[0]);
        Assert.StartsWith("minio/minio:", minio.Image);
        Assert.Equal(["server", "/data"], minio.Command.Take(2));
        var address = minio.Command.IndexOf("--address");
        var port = address >= 0 ? minio.Command[address + 1].TrimStart(':') : "9000";
        Assert.Equal($"http://minio:{port}", Env(silo, "FileStore__S3__ServiceUrl"));
        Assert.Equal("true", Env(silo, "FileStore__S3__ForcePathStyle"));
        Assert.Equal(Env(minio, "MINIO_ROOT_USER"), Env(silo, "FileStore__S3__AccessKey"));
        Assert.Equal(Env(minio, "MINIO_ROOT_PASSWORD"), Env(silo, "FileStore__S3__SecretKey"));
        var data = Assert.Single(minio.Volumes, v => v.EndsWith(":/data")).Split(':')[0];
        Assert.True(_compose.Volumes.ContainsKey(data), $"minio's volume '{data}' is not declared under volumes:");
        Assert.Contains("ready", minio.Healthcheck?.Test ?? throw new Xunit.Sdk.XunitException("minio has no healthcheck"));

        // minio-init makes the silos' bucket, talking to the same address with the same credentials.
        var init = Service("minio-init");
        var bucket = Env(silo, "FileStore__S3__Bucket");
        var target = Assert.Single(init.Entrypoint.Concat(init.Command), arg => arg.EndsWith($"/{bucket}"));
        var alias = target.Split('/')[0];
        var host = new Uri(Env(init, $"MC_HOST_{alias}"));
        Assert.Equal(new Uri(Env(silo, "FileStore__S3__ServiceUrl")).Authority, host.Authority);
        Assert.Equal($"{Env(minio, "MINIO_ROOT_USER")}:{Env(minio, "MINIO_ROOT_PASSWORD")}", Uri.UnescapeDataString(host.UserInfo));
        Assert.Equal("service_healthy", init.DependsOn["minio"].Condition);
        foreach (var name in Silos)
        {
            Assert.Equal("service_healthy", Service(name).DependsOn["minio"].Condition);
            Assert.Equal("service_completed_successfully", Service(name).DependsOn["minio-init"].Condition);
        }
        Assert.Equal("service_completed_successfully", Service("gateway").DependsOn["minio-init"].Condition);
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
            [DirectDriveX.Http.Clients.ClientOptions.Section] = typeof(DirectDriveX.Http.Clients.ClientOptions),
            [DirectDriveX.Http.Clients.AuthOptions.Section] = typeof(DirectDriveX.Http.Clients.AuthOptions),
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
                OptionPath.AssertNamesAProperty(options!, parts[1..], $"{name}: {key}");
            }
        }
        foreach (var key in Service("gateway").Environment.Keys.Where(k => k.StartsWith("FileStore__")))
            OptionPath.AssertNamesAProperty(typeof(FileStoreOptions), key.Split("__")[1..], $"gateway: {key}");
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
