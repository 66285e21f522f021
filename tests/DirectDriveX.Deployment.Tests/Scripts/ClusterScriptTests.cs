using System.Text.RegularExpressions;
using DirectDriveX.Deployment.Tests.Compose;

namespace DirectDriveX.Deployment.Tests.Scripts;

/// <summary>scripts/cluster-up starts the compose.yaml topology as processes: the same settings, spelled the same way.</summary>
public sealed partial class ClusterScriptTests
{
    private readonly string _script = File.ReadAllText(RepositoryRoot.File("scripts", "cluster-up"));
    private readonly string _settings = File.ReadAllText(RepositoryRoot.File("scripts", "lib", "cluster.sh"));
    private readonly ComposeFile _compose = ComposeFile.Load(RepositoryRoot.File("compose.yaml"));

    private HashSet<string> ScriptSettings() => SettingAssignment().Matches(_script).Select(m => m.Groups["key"].Value).ToHashSet();

    [Fact]
    public void Every_setting_the_script_gives_a_silo_is_one_compose_gives_its_silos()
    {
        var composeSilo = _compose.Services["silo-1"].Environment.Keys.ToHashSet();
        var script = ScriptSettings();
        Assert.NotEmpty(script);
        Assert.All(script, key => Assert.Contains(key, composeSilo));
    }

    [Fact]
    public void The_script_sets_what_makes_silos_distinct_and_joined()
    {
        Assert.Superset(new HashSet<string>
        {
            "ConnectionStrings__Redis", "Orleans__ClusterId", "Orleans__ServiceId", "Orleans__SiloName", "Orleans__SiloPort",
            "Orleans__GatewayPort", "Orleans__AdvertisedIP", "Urls", "MemoryBudget__MemoryLimitBytes", "FileStore__RootDirectory",
            "Orleans__Membership__ProbeTimeout", "Orleans__Membership__NumMissedProbesLimit", "Orleans__Membership__DeathVoteExpirationTimeout",
        }, ScriptSettings());
    }

    [Fact]
    public void Failure_detection_in_the_script_defaults_to_what_compose_gives_its_silos()
    {
        var silo = _compose.Services["silo-1"].Environment;
        Assert.Contains($"DDX_PROBE_TIMEOUT=${{DDX_PROBE_TIMEOUT:-{silo["Orleans__Membership__ProbeTimeout"]}}}", _settings);
        Assert.Contains($"DDX_MISSED_PROBES=${{DDX_MISSED_PROBES:-{silo["Orleans__Membership__NumMissedProbesLimit"]}}}", _settings);
        Assert.Contains($"DDX_DEATH_VOTE_EXPIRATION=${{DDX_DEATH_VOTE_EXPIRATION:-{silo["Orleans__Membership__DeathVoteExpirationTimeout"]}}}", _settings);
        Assert.Contains("--appendonly yes", _script);
    }

    [Fact]
    public void The_script_caps_its_three_silos_at_distinct_sizes()
    {
        var limits = MemoryLimits().Match(_settings).Groups["limits"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, limits.Length);
        Assert.Equal(3, limits.Distinct().Count());
    }

    [Fact]
    public void The_local_s3_store_gives_the_settings_compose_gives_for_minio()
    {
        // scripts/object-store/launch.mjs writes what cluster-up gives every silo and gateway with DDX_STORE=s3; compose
        // gives the same keys (but Prefix, which neither needs) for MinIO.
        var launcher = LauncherSettings("FileStore__S3__").Append("FileStore__Kind").ToHashSet();
        var compose = _compose.Services["silo-1"].Environment.Keys.Where(k => k.StartsWith("FileStore__S3__")).Append("FileStore__Kind").ToHashSet();
        Assert.Superset(compose, launcher);
        Assert.Equal(["FileStore__S3__Prefix"], launcher.Except(compose));
        Assert.Contains("[\"FileStore__Kind\", \"S3\"]", _launcher);
        Assert.Contains("[\"FileStore__Kind\", \"AzureBlob\"]", _launcher);
    }

    [Fact]
    public void Every_setting_the_local_object_stores_give_names_a_file_store_option()
    {
        var keys = LauncherSettings("FileStore__").ToList();
        Assert.Contains("FileStore__AzureBlob__ConnectionString", keys);
        foreach (var key in keys)
            OptionPath.AssertNamesAProperty(typeof(DirectDriveX.Storage.FileStoreOptions), key.Split("__")[1..], $"launch.mjs: {key}");
    }

    [Fact]
    public void The_file_store_stays_the_default_and_CI_runs_the_cluster_over_both_object_stores()
    {
        Assert.Contains("DDX_STORE=${DDX_STORE:-file}", _settings);
        var ci = File.ReadAllText(RepositoryRoot.File(".ci", "run"));
        Assert.Contains("for store in s3 azure; do", ci);
        Assert.Contains("env DDX_STORE=\"$store\" scripts/cluster-up", ci);
        Assert.Contains("scripts/object-store/run", ci); // shellchecked
    }

    private readonly string _launcher = File.ReadAllText(RepositoryRoot.File("scripts", "object-store", "launch.mjs"));

    private IEnumerable<string> LauncherSettings(string prefix) =>
        LauncherSetting().Matches(_launcher).Select(m => m.Groups["key"].Value).Where(k => k.StartsWith(prefix)).Distinct();

    [GeneratedRegex("\\[\"(?<key>FileStore__[A-Za-z0-9_]+)\", ")]
    private static partial Regex LauncherSetting();

    [GeneratedRegex("\"(?<key>(ConnectionStrings|Orleans|MemoryBudget|FileStore|Urls)(__[A-Za-z]+)*)=")]
    private static partial Regex SettingAssignment();

    [GeneratedRegex("DDX_SILO_MEMORY_LIMITS:-\"(?<limits>[0-9 ]+)\"")]
    private static partial Regex MemoryLimits();
}
